// After money moved: record the payment once, run the paid delivery, leave a receipt and a grant. A
// delivery that fails is recorded on the payment and leaves a one-retry grant, so the payer fetches what
// they paid for again without paying twice.
import { recordPayment } from '@/lib/payments/record-payment'
import type * as Receipt from '@/lib/protocol/Receipt'
import * as Payments from '@/lib/store/payments'
import { enqueuePaymentEvent } from '@/lib/webhooks/enqueue-payment-event'
import type { Sale } from '../sale'
import type { Deliver, Gate, Outcome, PricedResource, Protocol, Settled } from '../types'
import { grantTerms, issueGrant, retryGrantTerms } from './grants'

/** Records the payment of `settled` (once per settlement key) and queues the merchant's webhook when this call recorded it. */
export async function recordSettled(
  gate: Gate,
  sale: Sale | PricedResource,
  settled: Settled,
  protocol: Protocol,
  challengeId: string | null,
): Promise<Payments.Payment> {
  const { created, payment } = await recordPayment(
    gate.db,
    {
      sale,
      settlementKey: settled.settlementKey,
      method: settled.method,
      reference: settled.reference,
      payer: settled.payer,
      amount: settled.amount,
      currency: settled.currency,
      receiptFields: settled.receiptFields,
      ...(settled.paymentId ? { paymentId: settled.paymentId } : {}),
      protocol,
      challengeId,
    },
    gate.clock.now(),
  )
  if (created) {
    // The merchant's webhook is a notification: failing to queue it must not fail the paid request.
    await enqueuePaymentEvent(gate.db, payment).catch((error: unknown) => {
      console.error(`could not queue payment.succeeded for ${payment.id}: ${error instanceof Error ? error.message : 'unknown error'}`)
    })
  }
  return payment
}

/**
 * Runs the paid delivery for a recorded payment and decides what the payer gets: the resource with its receipt
 * and grant, or (the delivery threw) the receipt and a retry grant. `preparedGrantTokenHash`: the payer already
 * holds the grant's token (card checkout), so no new one is handed out.
 */
export async function deliverPaid<T>(
  gate: Gate,
  resource: PricedResource,
  deliver: Deliver<T>,
  payment: Payments.Payment,
  preparedGrantTokenHash?: string,
): Promise<Outcome<T>> {
  const now = gate.clock.now()
  const receipt = payment.receipt as Receipt.Receipt
  let delivered: Awaited<ReturnType<Deliver<T>>> | null = null
  let failure: string | null = null
  try {
    delivered = await deliver({ payment })
    failure = delivered.failure ?? null
  } catch (error) {
    failure = error instanceof Error ? error.message : 'the resource failed'
  }
  await Payments.markDelivery(gate.db, payment.id, failure ? 'failed' : 'delivered', failure ?? undefined)
  const terms = failure ? retryGrantTerms(now) : grantTerms(resource.accessPolicy, now)
  const grant = await issueGrant(gate, resource, payment, terms, preparedGrantTokenHash)
  if (!delivered) return { kind: 'undelivered', payment, receipt, grant }
  return { kind: 'delivered', value: delivered.value, payment, receipt, grant }
}
