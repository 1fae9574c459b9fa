// How long a checkout's card PaymentIntent keeps a slot of a capped link, and for whom. Challenges are
// free, so holds must be cheap to lose: one client keeps at most a few unpaid holds of a link open, and a
// hold lasts only a few minutes until Stripe shows its payer confirming (3-D Secure, processing, a card
// attempt), which extends it. The server learns that from Stripe itself: the `payment_intent.requires_action`,
// `.processing` and `.payment_failed` webhooks, the page's credential (the intent is retrieved then), and,
// before a short hold lapses, the sweep asking Stripe about its intent.
import { createHmac } from 'node:crypto'
import { HOLD_SWEEP_INTERVAL_MS } from '@/lib/links/release-expired-holds'
import type { StripeRail } from '@/lib/rails/stripe'
import type { Db } from '@/lib/store/db'
import * as LinkSales from '@/lib/store/link-sales'

export type CardHoldLimits = {
  /** Unpaid card holds one client may keep open on one capped link. */
  perClient: number
  /** How long an unpaid hold lasts before its payer is seen confirming. */
  unconfirmedSeconds: number
}

/** Stored for a hold instead of the client's address: a keyed digest, so the table holds no addresses. */
export function holdClientDigest(secret: string, clientKey: string): string {
  return createHmac('sha256', secret).update(`tollgate/card-hold-client\n${clientKey}`).digest('base64url').slice(0, 22)
}

/** A new hold's expiry: short, and never later than the longest a checkout could still need (`latest`). */
export function unconfirmedHoldExpiry(limits: CardHoldLimits, latest: Date, now: Date): Date {
  return new Date(Math.min(latest.getTime(), now.getTime() + limits.unconfirmedSeconds * 1000))
}

// Holds lapsing before the next sweep (plus a margin) are checked now, so each is asked about before it lapses.
const LOOKAHEAD_MS = HOLD_SWEEP_INTERVAL_MS + 15_000
const BATCH = 100

/** Extends the unpaid holds whose payers Stripe shows confirming, among those about to lapse. Returns how many. */
export async function confirmUnderwayHolds(db: Db, stripe: Pick<StripeRail, 'isPaymentUnderway'>, now: Date = new Date()): Promise<number> {
  const lapsing = await LinkSales.lapsingUnconfirmed(db, { before: new Date(now.getTime() + LOOKAHEAD_MS), limit: BATCH })
  let extended = 0
  for (const hold of lapsing) {
    if (hold.paymentIntentId && (await stripe.isPaymentUnderway(hold.paymentIntentId)))
      if (await LinkSales.confirmHold(db, { paymentIntentId: hold.paymentIntentId, now })) extended++
  }
  return extended
}
