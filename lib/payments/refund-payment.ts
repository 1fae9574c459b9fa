import type { Db } from '@/lib/store/db'
import * as LinkSales from '@/lib/store/link-sales'
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
  if (payment.method !== 'stripe')
    throw new NotRefundableError(
      'only card payments can be refunded here; on-chain payments are final (send the funds back from your wallet)',
    )
  if (payment.status === 'refunded') throw new NotRefundableError('this payment was already refunded')
  if (!stripe) throw new RefundsUnavailableError()
  try {
    await stripe.refund(payment.reference)
  } catch (error) {
    throw new RefundFailedError(error)
  }
  // Marking it refunded and reopening its slot of a capped link happen together, once (Stripe's charge.refunded may come first).
  const marked = await db.transaction(async (tx) => {
    if (!(await Payments.markRefunded(tx, payment.id))) return false
    if (payment.linkId) await LinkSales.giveBackSlot(tx, payment.linkId)
    return true
  })
  if (marked) {
    const refunded = await Payments.getById(db, payment.id)
    if (refunded) await enqueuePaymentEvent(db, refunded, 'payment.refunded')
  }
  return getPayment(db, merchantId, paymentId)
}
