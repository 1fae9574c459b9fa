// Full refund of a card payment, safe to repeat: the idempotency key makes a retry return the same
// refund, and a payment refunded earlier (dashboard, expired key) answers with its existing refund.
import type Stripe from 'stripe'
import { RefundFailedError } from '../Errors'
import type { RailContext } from './context'
import * as Keys from './keys'
import * as StripeErrors from './stripeErrors'

export type StripeRefund = {
  /** `re_…` */
  id: string
  paymentIntentId: string
  amountCents: number
  currency: string
  status: string
  /** True when the payment had been refunded before this call. */
  alreadyRefunded: boolean
}

export async function refundPaymentIntent(context: RailContext, paymentIntentId: string): Promise<StripeRefund> {
  if (!/^pi_[A-Za-z0-9]+$/.test(paymentIntentId)) throw new RefundFailedError('Not a PaymentIntent id', paymentIntentId)
  try {
    const refund = await context.stripe.refunds.create(
      { payment_intent: paymentIntentId },
      { idempotencyKey: Keys.refundIdempotencyKey(paymentIntentId) },
    )
    return toResult(refund, paymentIntentId, refund.lastResponse.headers['idempotent-replayed'] === 'true')
  } catch (error) {
    if (error instanceof RefundFailedError) throw error
    const failure = StripeErrors.classify(error)
    if (failure.kind === 'rejected' && failure.code === 'charge_already_refunded') {
      const existing = await context.stripe.refunds.list({ payment_intent: paymentIntentId, limit: 10 }).catch((listError: unknown) => {
        StripeErrors.classify(listError)
        throw listError
      })
      const refund = existing.data.find((candidate) => candidate.status !== 'failed' && candidate.status !== 'canceled')
      if (refund) return toResult(refund, paymentIntentId, true)
    }
    throw new RefundFailedError(`Stripe refused to refund ${paymentIntentId}: ${failure.message}`, paymentIntentId, { cause: error })
  }
}

function toResult(refund: Stripe.Refund, paymentIntentId: string, alreadyRefunded: boolean): StripeRefund {
  return {
    id: refund.id,
    paymentIntentId,
    amountCents: refund.amount,
    currency: refund.currency,
    status: refund.status ?? 'pending',
    alreadyRefunded,
  }
}
