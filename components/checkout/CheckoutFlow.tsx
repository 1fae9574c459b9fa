// The interactive half of the checkout: the exact offer, the choice of method (wallet code loads once the payer
// points at it, card code once chosen), and the unlocked resource with its receipt.
import { lazy, Suspense, useId, useState } from 'react'
import { cardAvailability } from '@/lib/checkout/card-availability'
import { formatTime, formatTokenAmount } from '@/lib/checkout/format'
import type { OpenCheckout } from '@/lib/checkout/load-checkout'
import { usdCents } from '@/lib/checkout/offers'
import { OfferDetails } from './OfferDetails'
import { PaymentResult } from './PaymentResult'
import { useCheckoutSession } from './useCheckoutSession'

const loadWalletPayment = () => import('./wallet/WalletPayment')
const WalletPayment = lazy(loadWalletPayment)
/** Starts loading the wallet code when the payer points at (or focuses) "Crypto wallet": it is often there by the click. */
const warmWalletCode = () => void loadWalletPayment().catch(() => {})
const CardPayment = lazy(() => import('./CardPayment'))

type Method = 'wallet' | 'card'

export type CheckoutFlowProps = { checkout: OpenCheckout }

export function CheckoutFlow({ checkout }: CheckoutFlowProps) {
  const fileName =
    checkout.link?.resource.kind === 'file' ? checkout.link.resource.name : checkout.target.split('?')[0]!.split('/').pop() || 'download'
  const session = useCheckoutSession(checkout.target, fileName)
  const [method, setMethod] = useState<Method | null>(null)
  const groupLabel = useId()
  const { state } = session

  if (state.phase === 'paid') return <PaymentResult result={state.result} checkout={checkout} offer={state.offers?.evm ?? null} />

  if (state.phase === 'error')
    return (
      <section className="checkout-panel" aria-labelledby="checkout-error-title">
        <h2 id="checkout-error-title">This payment cannot start</h2>
        <p role="alert" className="notice notice-error">
          {state.message}
        </p>
        <button type="button" className="button secondary" onClick={() => void session.reload()}>
          Try again
        </button>
      </section>
    )

  const offers = state.phase === 'ready' ? state.offers : null
  const evm = offers?.evm ?? null
  const card = cardAvailability({
    serverStatus: checkout.card.status,
    stripeConfigured: checkout.card.stripeConfigured,
    hasStripeOffer: Boolean(offers?.stripe),
    priceCents: evm ? usdCents(evm) : null,
    minimumUsd: checkout.card.minimumUsd,
  })
  const walletAvailable = Boolean(evm && checkout.evm)
  // A route sold only per unit over a session channel: an agent pays it, a person cannot here.
  if (offers && !evm && !offers.stripe && offers.all.some((c) => c.intent === 'session'))
    return (
      <section className="checkout-panel" aria-labelledby="session-only-title" data-testid="session-only">
        <h2 id="session-only-title" className="panel-title">
          Paid per use by an agent
        </h2>
        <p>
          {offers.all[0]?.description ?? 'This resource'} is sold by the unit from a payment channel (MPP <code>evm</code>/
          <code>session</code>): an agent deposits once and signs a voucher per unit. There is nothing to pay in a browser.
        </p>
        <p className="muted mono-wrap">{checkout.target}</p>
      </section>
    )

  return (
    <>
      {!checkout.link && offers && (
        <section className="checkout-panel" aria-label="What you are buying">
          <h1 className="checkout-title">{offers.all[0]?.description ?? 'Paid request'}</h1>
          <p className="muted mono-wrap">{checkout.target}</p>
        </section>
      )}

      <OfferDetails checkout={checkout} offer={evm} loading={state.phase === 'loading'} />

      <section className="checkout-panel" aria-labelledby={groupLabel}>
        <h2 id={groupLabel} className="panel-title">
          How would you like to pay?
        </h2>
        <div className="method-choice" role="group" aria-labelledby={groupLabel}>
          <button
            type="button"
            className="method-option"
            aria-pressed={method === 'wallet'}
            disabled={!walletAvailable}
            onPointerEnter={walletAvailable ? warmWalletCode : undefined}
            onFocus={walletAvailable ? warmWalletCode : undefined}
            onClick={() => setMethod('wallet')}
          >
            <span className="method-name">Crypto wallet</span>
            <span className="method-hint">
              {evm && checkout.evm
                ? `${formatTokenAmount(evm.amount, evm.decimals)} ${checkout.evm.token.symbol} on ${checkout.evm.chain.name}, no gas`
                : state.phase === 'loading'
                  ? 'Loading…'
                  : 'Not offered for this link'}
            </span>
          </button>
          {card.available && (
            <button type="button" className="method-option" aria-pressed={method === 'card'} onClick={() => setMethod('card')}>
              <span className="method-name">Card</span>
              <span className="method-hint">Visa, Mastercard, Amex and more</span>
            </button>
          )}
        </div>
        {!card.available && state.phase === 'ready' && (
          <p className="muted small" data-testid="card-absent">
            {card.message}
          </p>
        )}

        <div className="method-panel">
          {method === 'wallet' && evm && checkout.evm && (
            <Suspense
              fallback={
                <p className="muted" role="status">
                  Loading wallet support…
                </p>
              }
            >
              <WalletPayment
                offer={evm}
                evm={checkout.evm}
                testWallet={checkout.testWallet}
                freshOffer={session.freshEvmOffer}
                submit={session.submit}
              />
            </Suspense>
          )}
          {method === 'card' && offers?.stripe && (
            <Suspense
              fallback={
                <p className="muted" role="status">
                  Loading card payment…
                </p>
              }
            >
              <CardPayment offer={offers.stripe} target={checkout.target} submit={session.submit} />
            </Suspense>
          )}
          {method === null && state.phase === 'ready' && evm?.expiresAt && (
            <p className="muted small">
              This payment request is valid until {formatTime(new Date(evm.expiresAt).toISOString())}; it renews by itself if you take
              longer.
            </p>
          )}
        </div>
      </section>
    </>
  )
}
