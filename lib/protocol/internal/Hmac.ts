// HMAC-SHA256 from @noble/hashes (pure JS, the library viem itself uses), so challenge ids can be
// computed without node:crypto and the browser checkout does not pull in viem's whole barrel.
import { hmac } from '@noble/hashes/hmac'
import { sha256 } from '@noble/hashes/sha2'

export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  return hmac(sha256, key, message)
}

/** HMAC-SHA256 with the key and a message prefix absorbed once: each call hashes only the rest of the message. */
export function prefixedHmacSha256(key: Uint8Array, prefix: Uint8Array): (rest: Uint8Array) => Uint8Array {
  const absorbed = hmac.create(sha256, key).update(prefix)
  return (rest) => absorbed.clone().update(rest).digest()
}
