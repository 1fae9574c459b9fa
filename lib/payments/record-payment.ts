// The one way a payment row is written, whichever path learns of the money first: the gate after it
// settled a credential, reconcile after a crash, or the Stripe webhook for a checkout's PaymentIntent.
// One row per settlement key; the receipt stored with it is what the payer is shown.
import type { Db } from '@/lib/store/db'
import * as Payments from '@/lib/store/payments'

export type PaymentFacts = {
  /** What was sold. */
  sale: { key: string; priceUsd: string; linkId?: string | null; merchantId?: string | null }
  /** The money movement: its rail's replay key, method, reference and amount in the currency's base units. */
  settlementKey: string
  method: 'evm' | 'stripe'
  reference: string
  payer: string | null
  amount: string
  currency: string
  /** Method-specific receipt fields, e.g. { chainId } for evm. */
  receiptFields?: Record<string, unknown>
  /** The id fixed before the money moved (a card checkout's PaymentIntent), else a new one. */
  paymentId?: string
  protocol: Payments.Payment['protocol']
  challengeId: string | null
}

/** Records the payment once per settlement key; `created` is false when another path recorded it first. */
export function recordPayment(db: Db, facts: PaymentFacts, now: Date = new Date()): Promise<Payments.RecordResult> {
  return Payments.recordOnce(db, {
    ...(facts.paymentId ? { id: facts.paymentId } : {}),
    settlementKey: facts.settlementKey,
    linkId: facts.sale.linkId ?? null,
    merchantId: facts.sale.merchantId ?? null,
    resourceKey: facts.sale.key,
    protocol: facts.protocol,
    method: facts.method,
    amount: facts.amount,
    currency: facts.currency,
    amountUsd: facts.sale.priceUsd,
    payer: facts.payer,
    reference: facts.reference,
    challengeId: facts.challengeId,
    receipt: {
      status: 'success',
      method: facts.method,
      timestamp: now.toISOString(),
      reference: facts.reference,
      ...facts.receiptFields,
      ...(facts.challengeId ? { challengeId: facts.challengeId } : {}),
    },
  })
}
