// The card slot, loaded only when the payer picks "Card": asks the server for the PaymentIntent of
// the stripe challenge (which also leaves the grant cookie), loads Stripe.js with the key the server
// returns, and hands the Payment Element to CardForm.
import { Elements } from '@stripe/react-stripe-js'
import type { Stripe } from '@stripe/stripe-js'
import { loadStripe } from '@stripe/stripe-js/pure'
import { useEffect, useState } from 'react'
import { formatTokenAmount } from '@/lib/checkout/format'
import type { StripeOffer } from '@/lib/checkout/offers'
import { CardForm } from './card/CardForm'
import { freshStripeOffer } from './card/fresh-stripe-offer'
import { requestPaymentIntent, type CardPaymentIntent } from './card/request-payment-intent'
import type { SubmitOutcome } from './useCheckoutSession'

export type CardPaymentProps = {
  /** The stripe/charge offer of the current 402 (its challenge binds the PaymentIntent). */
  offer: StripeOffer
  /** Same-origin path being paid for. */
  target: string
  /** Sends the finished credential; on success the checkout shows the resource and receipt. */
  submit(credential: string, headerName?: string): Promise<SubmitOutcome>
}

type State =
  | { phase: 'preparing' }
  | { phase: 'ready'; offer: StripeOffer; intent: CardPaymentIntent; stripe: Promise<Stripe | null> }
  | { phase: 'error'; message: string }

async function prepare(offer: StripeOffer, target: string): Promise<State> {
  const current = await freshStripeOffer(offer, target)
  const intent = await requestPaymentIntent(target, current.challenge)
  return { phase: 'ready', offer: current, intent, stripe: loadStripe(intent.publishableKey) }
}

export default function CardPayment({ offer, target, submit }: CardPaymentProps) {
  // One PaymentIntent per visit to this tab: later offers (after a refused credential) must not restart it.
  const [initialOffer] = useState(offer)
  const [state, setState] = useState<State>({ phase: 'preparing' })

  useEffect(() => {
    let active = true
    prepare(initialOffer, target).then(
      (ready) => active && setState(ready),
      (error: unknown) =>
        active && setState({ phase: 'error', message: error instanceof Error ? error.message : 'Card payment could not start.' }),
    )
    return () => {
      active = false
    }
  }, [initialOffer, target])

  if (state.phase === 'error')
    return (
      <p role="alert" className="notice notice-error" data-testid="card-unavailable">
        {state.message}
      </p>
    )
  if (state.phase === 'preparing')
    return (
      <p className="muted" role="status" data-testid="card-preparing">
        Preparing a secure card form…
      </p>
    )

  return (
    <Elements stripe={state.stripe} options={{ clientSecret: state.intent.clientSecret }}>
      <CardForm
        challenge={state.offer.challenge}
        amountLabel={`$${formatTokenAmount(BigInt(state.offer.amountCents), 2)}`}
        receiptUrl={state.intent.receiptUrl}
        submit={submit}
      />
    </Elements>
  )
}
