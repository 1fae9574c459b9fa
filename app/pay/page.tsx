// The checkout page: /pay?u=<same-origin path>. Loads the offer server-side, routes by status,
// then hands one client tree the payment (see components/checkout).
import type { Metadata } from 'next'
import { CheckoutFlow } from '@/components/checkout/CheckoutFlow'
import { CheckoutSummary } from '@/components/checkout/CheckoutSummary'
import { loadCheckout } from '@/lib/checkout/load-checkout'

export const dynamic = 'force-dynamic'

export const metadata: Metadata = {
  title: 'Checkout',
  robots: { index: false, follow: false },
  referrer: 'same-origin',
}

type Props = { searchParams: Promise<{ u?: string | string[] }> }

const unavailable = {
  inactive: 'The merchant has deactivated this link.',
  expired: 'This offer has ended.',
  'sold-out': 'This link has sold out.',
} as const

export default async function CheckoutPage({ searchParams }: Props) {
  const { u } = await searchParams
  const checkout = await loadCheckout(typeof u === 'string' ? u : undefined)

  return (
    <div className="checkout-page">
      <header className="checkout-header">
        {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- next/link would add its router code to this page's bundle */}
        <a href="/" className="brand">Tollgate</a>
        <span className="muted small">Secure checkout</span>
      </header>
      <main className="checkout-main">
        {checkout.status === 'open' ? (
          <div className={checkout.link ? 'checkout-grid' : 'checkout-single'}>
            {checkout.link && (
              <div className="checkout-aside">
                <CheckoutSummary link={checkout.link} />
              </div>
            )}
            <div className="checkout-flow">
              <CheckoutFlow checkout={checkout} />
            </div>
          </div>
        ) : (
          <section className="checkout-panel" aria-labelledby="checkout-title">
            <h1 id="checkout-title" className="checkout-title">
              {checkout.status === 'unavailable' ? 'No longer available' : checkout.status === 'not-found' ? 'Link not found' : 'Nothing to pay here'}
            </h1>
            {checkout.status === 'unavailable' && <p className="muted" data-testid="checkout-title">{checkout.title}</p>}
            <p>
              {checkout.status === 'unavailable'
                ? unavailable[checkout.reason]
                : checkout.status === 'not-found'
                  ? 'There is no payment link at this address. Check the link you were given.'
                  : 'This checkout address does not name a page on this site.'}
            </p>
          </section>
        )}
      </main>
      <footer className="checkout-footer muted small">
        Payments settle on chain before anything is delivered. Powered by Tollgate.
      </footer>
    </div>
  )
}
