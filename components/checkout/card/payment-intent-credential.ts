// The MPP credential a paid card checkout submits: the challenge echoed, and the PaymentIntent it paid.
import { serializeCredential } from '@/lib/checkout/wire'
import * as Challenge from '@/lib/protocol/Challenge'
import type { PaymentIntentPayload } from '@/lib/protocol/methods/stripe'

/** `[header name, value]` for a succeeded PaymentIntent created for this challenge. */
export function paymentIntentCredential(challenge: Challenge.Challenge, paymentIntentId: string): [string, string] {
  const payload: PaymentIntentPayload = { paymentIntent: paymentIntentId }
  return [Challenge.credentialHeader(challenge), serializeCredential({ challenge, payload })]
}
