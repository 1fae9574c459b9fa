// Names and keys the rail writes to Stripe and to the store; one place so every path agrees.
import { createHash } from 'node:crypto'

export const rail = 'stripe'

/** PaymentIntent metadata tying a payment to the challenge it pays and the link it unlocks. */
export const metadataKeys = { challengeId: 'challenge_id', linkId: 'link_id' } as const

/** Settlement replay key: a PaymentIntent unlocks at most one credential redemption. */
export function replayKey(paymentIntentId: string): string {
  return `stripe:${paymentIntentId}`
}

// Stripe caps idempotency keys at 255 characters; hashing keeps them short whatever the inputs.
function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('base64url')
}

/** One PaymentIntent per challenge and link, however many times the checkout asks. */
export function paymentIntentIdempotencyKey(challengeId: string, linkId: string): string {
  return `tollgate-pi-${digest(challengeId, linkId)}`
}

/** The spec's key for redeeming a Shared Payment Token: derived from challenge id and token. */
export function sharedPaymentTokenIdempotencyKey(challengeId: string, spt: string): string {
  return `tollgate-spt-${digest(challengeId, spt)}`
}

/** One full refund per PaymentIntent. */
export function refundIdempotencyKey(paymentIntentId: string): string {
  return `tollgate-refund-${paymentIntentId}`
}
