// Everything about a credential's challenge that can be checked without I/O, before any method runs:
// ours (binding, realm), still valid, for this resource, for a method/intent it is offered with, at the
// terms it is sold at now, and for this request body. The checkout's card PaymentIntent route runs the
// same checks before it asks Stripe for anything.
import * as Binding from '@/lib/protocol/Binding'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Digest from '@/lib/protocol/Digest'
import * as Jcs from '@/lib/protocol/Jcs'
import * as Problem from '@/lib/protocol/Problem'
import { methodKey, type Gate, type PaymentMethod, type PricedResource } from '../types'

/** Issued by this server: its binding (HMAC) verifies and its realm is ours. */
export function verifyOrigin(gate: Gate, challenge: Challenge.Challenge): void {
  if (!Binding.verify(challenge, gate.config.secrets))
    throw new Problem.InvalidChallengeError('the challenge was not issued by this server (binding check failed)')
  if (challenge.realm !== gate.config.realm)
    throw new Problem.InvalidChallengeError(`the challenge is for realm "${challenge.realm}", not "${gate.config.realm}"`)
}

/** Unexpired, and issued for the resource with key `resourceKey`. */
export function verifyValidFor(gate: Gate, challenge: Challenge.Challenge, resourceKey: string): void {
  if (Challenge.isExpired(challenge, gate.clock.now()))
    throw new Problem.PaymentExpiredError(`the challenge expired at ${challenge.expires}`)
  if (challenge.opaque?.resource !== resourceKey)
    throw new Problem.InvalidChallengeError('the challenge was issued for a different resource')
}

/** The method the challenge names, if the resource is offered with it here. */
export function offeredMethod(gate: Gate, challenge: Challenge.Challenge, resource: PricedResource): PaymentMethod {
  const method = gate.methods.find(challenge.method, challenge.intent)
  if (!method || !resource.offers.includes(methodKey(challenge.method, challenge.intent)))
    throw new Problem.MethodUnsupportedError(`payment method "${challenge.method}/${challenge.intent}" is not accepted for this resource`)
  return method
}

/** The challenge's `request` is what the method would ask for this resource now (price, recipient, token…). */
export function verifyCurrentTerms(method: PaymentMethod, challenge: Challenge.Challenge, resource: PricedResource): void {
  const current = method.request(resource)
  if (!current || Jcs.canonicalize(current) !== Jcs.canonicalize(challenge.request))
    throw new Problem.InvalidChallengeError('the price or payment terms changed since this challenge was issued; pay the fresh challenge')
}

/** A challenge that bound a body (`digest`) is paid only with that body. */
export async function verifyBody(challenge: Challenge.Challenge, body: Uint8Array | null): Promise<void> {
  if (challenge.digest === undefined) return
  let matches = false
  try {
    matches = await Digest.verify(challenge.digest, body ?? new Uint8Array())
  } catch {
    matches = false
  }
  if (!matches) throw new Problem.VerificationFailedError('the request body does not match the digest bound to the challenge')
}

/** All of the above, in that order; returns the method that settles the credential. */
export async function verifyChallenge(
  gate: Gate,
  challenge: Challenge.Challenge,
  resource: PricedResource,
  body: Uint8Array | null,
): Promise<PaymentMethod> {
  verifyOrigin(gate, challenge)
  verifyValidFor(gate, challenge, resource.key)
  const method = offeredMethod(gate, challenge, resource)
  verifyCurrentTerms(method, challenge, resource)
  await verifyBody(challenge, body)
  return method
}
