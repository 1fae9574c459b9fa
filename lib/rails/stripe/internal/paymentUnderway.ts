// Whether the payer of a checkout PaymentIntent has started paying it, as Stripe sees it: what keeps a
// capped link's short unpaid hold from lapsing under a payer who is in 3-D Secure or trying another card.
import type { RailContext } from './context'

/** Statuses Stripe reaches only after a payment method was submitted. */
const underway = new Set(['requires_action', 'processing', 'requires_capture', 'succeeded'])

/** True once the payer submitted a payment method (a declined attempt counts); false otherwise or when Stripe cannot say. */
export async function isPaymentUnderway(context: RailContext, paymentIntentId: string): Promise<boolean> {
  try {
    const intent = await context.stripe.paymentIntents.retrieve(paymentIntentId)
    return underway.has(intent.status) || (intent.status === 'requires_payment_method' && intent.last_payment_error != null)
  } catch {
    return false
  }
}
