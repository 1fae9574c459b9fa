// The exact terms the wallet will be asked to sign, shown before anything is signed: who asks
// (origin and realm), how much of which token, to whom, on which chain.
import type { ReactNode } from 'react'
import { formatTokenAmount } from '@/lib/checkout/format'
import type { OpenCheckout } from '@/lib/checkout/load-checkout'
import type { EvmOffer } from '@/lib/checkout/offers'

export type OfferDetailsProps = { checkout: OpenCheckout; offer: EvmOffer | null; loading: boolean }

export function OfferDetails({ checkout, offer, loading }: OfferDetailsProps) {
  const evm = checkout.evm
  const symbol = evm?.token.symbol ?? 'tokens'
  const sameToken = offer && evm ? offer.currency.toLowerCase() === evm.token.address.toLowerCase() && offer.chainId === evm.chain.id : true
  const row = (label: string, value: ReactNode, testId: string) => (
    <div className="terms-row">
      <dt>{label}</dt>
      <dd data-testid={testId}>{loading ? <span className="skeleton" aria-hidden="true" /> : value}</dd>
    </div>
  )
  return (
    <section className="checkout-panel" aria-labelledby="terms-title" aria-busy={loading}>
      <h2 id="terms-title" className="panel-title">
        What you will sign
      </h2>
      <dl className="terms">
        {row(
          'Requested by',
          <span className="mono-wrap">
            {checkout.origin}
            {offer && offer.challenge.realm !== new URL(checkout.origin).host ? ` (realm ${offer.challenge.realm})` : ''}
          </span>,
          'terms-origin',
        )}
        {row(
          'Amount',
          offer ? (
            <>
              <strong>
                {formatTokenAmount(offer.amount, offer.decimals)} {symbol}
              </strong>{' '}
              <span className="muted small">({offer.amount.toString()} base units)</span>
            </>
          ) : (
            '—'
          ),
          'terms-amount',
        )}
        {row('Pay to', offer ? <code className="mono-wrap">{offer.recipient}</code> : '—', 'terms-recipient')}
        {row('Token', offer ? <code className="mono-wrap">{offer.currency}</code> : '—', 'terms-token')}
        {row(
          'Network',
          offer ? `${evm && evm.chain.id === offer.chainId ? evm.chain.name : 'Chain'} (chain ID ${offer.chainId})` : '—',
          'terms-network',
        )}
      </dl>
      {!sameToken && (
        <p role="alert" className="notice notice-error">
          This offer names a token or chain this server does not settle. Do not pay it.
        </p>
      )}
    </section>
  )
}
