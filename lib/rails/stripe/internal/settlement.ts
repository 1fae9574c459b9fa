// Turning a succeeded PaymentIntent into exactly one redemption: the atomic claim in the store, then the result.
import type Stripe from 'stripe'
import * as Receipt from '@/lib/protocol/Receipt'
import { SettlementReplayError } from '@/lib/rails/errors'
import * as Settlements from '@/lib/store/settlements'
import type { RailContext } from './context'
import * as Keys from './keys'

/** A redeemed Stripe payment; a superset of the gate's `Settled`. */
export type StripeSettlement = {
  /** `stripe:<PaymentIntent id>`, the replay key claimed in the store (also the payment's settlement key). */
  settlementKey: string
  method: 'stripe'
  /** The PaymentIntent id, `pi_…`. */
  reference: string
  /** Stripe does not tell the merchant who paid in a way worth exposing. */
  payer: null
  /** Cents as a base-10 string, like every stored amount. */
  amount: string
  amountCents: number
  currency: string
  /** Receipt fields beyond the MPP core ones. */
  receiptFields: { externalId?: string }
  receipt: Receipt.Receipt
  paymentIntent: Stripe.PaymentIntent
}

export type ClaimParameters = {
  paymentIntent: Stripe.PaymentIntent
  challengeId: string
  linkId: string
  via: 'payment-intent' | 'spt'
  externalId?: string
}

/** Claims `stripe:<pi>`; a second redemption of the same PaymentIntent is refused as an already-used challenge. */
export async function claim(context: RailContext, parameters: ClaimParameters): Promise<StripeSettlement> {
  const { paymentIntent, challengeId, linkId, via, externalId } = parameters
  const key = Keys.replayKey(paymentIntent.id)
  const claimed = await Settlements.claim(context.db, {
    replayKey: key,
    rail: Keys.rail,
    payer: null,
    amount: String(paymentIntent.amount),
    details: { challengeId, linkId, currency: paymentIntent.currency, via },
  })
  if (!claimed.claimed)
    throw new SettlementReplayError(`PaymentIntent ${paymentIntent.id} has already been redeemed; pay this challenge again`, key)
  // The money already moved at Stripe, so the claim is settled at once; nothing is left to submit.
  await Settlements.markSettled(context.db, key, paymentIntent.id)
  const receiptFields = externalId !== undefined ? { externalId } : {}
  return {
    settlementKey: key,
    method: 'stripe',
    reference: paymentIntent.id,
    payer: null,
    amount: String(paymentIntent.amount),
    amountCents: paymentIntent.amount,
    currency: paymentIntent.currency,
    receiptFields,
    receipt: Receipt.from({ method: 'stripe', reference: paymentIntent.id, timestamp: new Date(), ...receiptFields }),
    paymentIntent,
  }
}
