import type { Db } from '@/lib/store/db'
import * as Payments from '@/lib/store/payments'
import { enqueuePaymentEvent } from '@/lib/webhooks/enqueue-payment-event'
import { NotRefundableError, RefundFailedError, RefundsUnavailableError } from './errors'
import { getPayment } from './get-payment'
import type { PaymentRow } from './list-payments'

/** What refunding needs from the Stripe rail (getGate().stripe); idempotent per PaymentIntent. */
export type CardRefunder = { refund(paymentIntentId: string): Promise<unknown> }

/**
 * Refunds a merchant's card payment in full, marks it refunded and tells the merchant's webhook.
 * Safe to repeat: Stripe's refund is idempotent and the status changes once.
 */
export async function refundPayment(db: Db, merchantId: string, paymentId: string, stripe: CardRefunder | null): Promise<PaymentRow> {
  const payment = await getPayment(db, merchantId, paymentId)
  if (payment.method !== 'stripe') throw new NotRefundableError('only card payments can be refunded here; on-chain payments are final (send the funds back from your wallet)')
  if (payment.status === 'refunded') throw new NotRefundableError('this payment was already refunded')
  if (!stripe) throw new RefundsUnavailableError()
  try {
    await stripe.refund(payment.reference)
  } catch (error) {
    throw new RefundFailedError(error)
  }
  if (await Payments.markRefunded(db, payment.id)) {
    const refunded = await Payments.getById(db, payment.id)
    if (refunded) await enqueuePaymentEvent(db, refunded, 'payment.refunded')
  }
  return getPayment(db, merchantId, paymentId)
}
