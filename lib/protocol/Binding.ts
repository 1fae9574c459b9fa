// Stateless challenge binding: the challenge id is an HMAC of its fields, so a server can verify an
// echoed challenge without storing it. SERVER-ONLY (node:crypto); never import from client components.
import { timingSafeEqual } from 'node:crypto'
import type { Challenge } from './Challenge'
import * as ChallengeId from './internal/ChallengeId'

export type Fields = ChallengeId.BindingFields
export type Secret = string | Uint8Array

export { isExpired } from './Challenge'

const encoder = new TextEncoder()

/**
 * The HMAC input: `realm|method|intent|request|expires|digest|opaque` (request/opaque as base64url(JCS),
 * absent optional slots empty); a challenge with `header` gets it as a slot just before opaque.
 */
export function input(fields: Fields): string {
  return ChallengeId.input(fields)
}

/** base64url(HMAC-SHA256(secret, input(fields))) without padding. */
export function computeId(secret: Secret, fields: Fields): string {
  return ChallengeId.compute(secret, fields)
}

/**
 * Whether `challenge.id` is the binding of its fields under any of `secrets` (current first, then
 * previous ones kept during rotation). Compares the id text itself, so only the exact canonical id
 * verifies (a padded variant would otherwise slip past a replay key). Constant-time; all secrets tried.
 */
export function verify(challenge: Challenge, secrets: readonly Secret[]): boolean {
  const presented = encoder.encode(challenge.id)
  let valid = false
  for (const secret of secrets) {
    let expected: Uint8Array
    try {
      expected = encoder.encode(ChallengeId.compute(secret, challenge))
    } catch {
      return false
    }
    const matches = presented.length === expected.length && timingSafeEqual(presented, expected)
    valid = matches || valid
  }
  return valid
}
