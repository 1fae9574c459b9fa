// Inside <Elements>: the Payment Element, the pay button, Stripe.js's confirmation (3-D Secure
// included), then the MPP credential naming the PaymentIntent. A decline shows Stripe's own message.
import { PaymentElement, useElements, useStripe } from '@stripe/react-stripe-js'
import { useState, type FormEvent } from 'react'
import type * as Challenge from '@/lib/protocol/Challenge'
import type { SubmitOutcome } from '../useCheckoutSession'
import { paymentIntentCredential } from './payment-intent-credential'
import { waitForReceipt } from './wait-for-receipt'

export type CardFormProps = {
  challenge: Challenge.Challenge
  amountLabel: string
  receiptUrl: string
  submit(credential: string, headerName?: string): Promise<SubmitOutcome>
}

type Phase =
  | { name: 'entering' }
  | { name: 'confirming' }
  | { name: 'unlocking' }
  /** Charged, but not unlocked by this request: the webhook records it; the page reloads into the purchase. */
  | { name: 'charged'; detail: string }

export function CardForm({ challenge, amountLabel, receiptUrl, submit }: CardFormProps) {
  const stripe = useStripe()
  const elements = useElements()
  const [phase, setPhase] = useState<Phase>({ name: 'entering' })
  const [error, setError] = useState<string | null>(null)

  async function pay(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    if (!stripe || !elements || phase.name !== 'entering') return
    setError(null)
    setPhase({ name: 'confirming' })
    const result = await stripe.confirmPayment({ elements, redirect: 'if_required', confirmParams: { return_url: window.location.href } })
    if (result.error) {
      setError(result.error.message ?? 'Your card could not be charged. Try another card.')
      setPhase({ name: 'entering' })
      return
    }
    const intent = result.paymentIntent
    if (intent.status !== 'succeeded' && intent.status !== 'processing') {
      setError(`The payment did not complete (${intent.status.replaceAll('_', ' ')}). Try again.`)
      setPhase({ name: 'entering' })
      return
    }
    if (intent.status === 'processing') return settleLater('Your bank is still processing the payment.')
    setPhase({ name: 'unlocking' })
    const [headerName, credential] = paymentIntentCredential(challenge, intent.id)
    const outcome = await submit(credential, headerName)
    // On success the checkout swaps this form for the resource and its receipt.
    if (!outcome.ok) await settleLater(outcome.problem.detail || outcome.problem.title)
  }

  async function settleLater(detail: string) {
    setPhase({ name: 'charged', detail })
    if (await waitForReceipt(receiptUrl)) window.location.reload()
  }

  if (phase.name === 'charged')
    return (
      <div className="notice" role="status" data-testid="card-charged">
        <p>Your card was charged. {phase.detail}</p>
        <p>
          This page opens your purchase as soon as the payment is recorded. Your receipt: <a href={receiptUrl}>{receiptUrl}</a>
        </p>
      </div>
    )

  const busy = phase.name !== 'entering'
  return (
    // Client-rendered only, so React applies this through the CSSOM, which the checkout's CSP allows.
    <form onSubmit={(event) => void pay(event)} aria-busy={busy} data-testid="card-form" style={{ display: 'grid', gap: 12 }}>
      <PaymentElement options={{ layout: 'tabs' }} />
      {error && (
        <p role="alert" className="notice notice-error" data-testid="card-error">
          {error}
        </p>
      )}
      <button type="submit" className="button" disabled={!stripe || !elements || busy} data-testid="card-pay">
        {phase.name === 'confirming' ? 'Confirming with your bank…' : phase.name === 'unlocking' ? 'Unlocking…' : `Pay ${amountLabel}`}
      </button>
      <p className="muted small">Card details go to Stripe, never to this site.</p>
    </form>
  )
}
