// A card payment prepared before the payer confirms it: its payment id and access-grant token are
// fixed when the checkout's PaymentIntent is created, so the page knows its receipt link and already
// holds the grant cookie, whichever path (credential or webhook) records the payment later.
import { createHmac } from 'node:crypto'
import * as Grants from '@/lib/store/grants'

export type PreparedPayment = {
  /** `pay_…`, the id the payment row will get (and the capability behind /receipts/{id}). */
  paymentId: string
  /** Bearer token for the payer's grant cookie; only its hash leaves this process. */
  grantToken: string
  grantTokenHash: string
}

/** What a succeeded PaymentIntent carries back to the server that prepared it. */
export type PreparedReference = Pick<PreparedPayment, 'paymentId' | 'grantTokenHash'>

/** PaymentIntent metadata keys (beside the rail's challenge_id and link_id). */
export const metadataKeys = {
  paymentId: 'payment_id',
  grantTokenHash: 'grant_token_hash',
  resourceKey: 'resource_key',
  priceUsd: 'price_usd',
  /** Only when the grant is bound to more than the resource (a withPayment route's price terms). */
  grantKey: 'grant_key',
} as const

/**
 * Derived from the challenge with the binding secret, so asking twice for one challenge's PaymentIntent
 * yields the same intent (Stripe idempotency), the same receipt link and the same cookie, on any instance.
 */
export function preparePayment(secret: string, challengeId: string, resourceKey: string): PreparedPayment {
  const derive = (purpose: string) => createHmac('sha256', secret).update(`tollgate/${purpose}\n${challengeId}\n${resourceKey}`).digest()
  const grantToken = derive('card-grant-token').subarray(0, 24).toString('base64url')
  return {
    paymentId: `pay_${derive('card-payment-id').subarray(0, 16).toString('base64url')}`,
    grantToken,
    grantTokenHash: Grants.hashToken(grantToken),
  }
}

/** The metadata a prepared payment adds to its PaymentIntent. */
export function toMetadata(
  prepared: PreparedPayment,
  resource: { key: string; priceUsd: string; grantKey?: string },
): Record<string, string> {
  return {
    [metadataKeys.paymentId]: prepared.paymentId,
    [metadataKeys.grantTokenHash]: prepared.grantTokenHash,
    [metadataKeys.resourceKey]: resource.key,
    [metadataKeys.priceUsd]: resource.priceUsd,
    ...(resource.grantKey && resource.grantKey !== resource.key ? { [metadataKeys.grantKey]: resource.grantKey } : {}),
  }
}

/** The prepared payment a PaymentIntent names, or null for intents made without one (e.g. agents' SPT payments). */
export function fromMetadata(metadata: Record<string, string> | null | undefined): PreparedReference | null {
  const paymentId = metadata?.[metadataKeys.paymentId]
  const grantTokenHash = metadata?.[metadataKeys.grantTokenHash]
  if (!paymentId || !/^pay_[A-Za-z0-9_-]{16,64}$/.test(paymentId)) return null
  if (!grantTokenHash || !/^[A-Za-z0-9_-]{43}$/.test(grantTokenHash)) return null
  return { paymentId, grantTokenHash }
}
