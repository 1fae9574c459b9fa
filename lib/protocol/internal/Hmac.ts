// HMAC-SHA256 from @noble/hashes (pure JS, the library viem itself uses), so challenge ids can be
// computed without node:crypto and the browser checkout does not pull in viem's whole barrel.
import { hmac } from '@noble/hashes/hmac'
import { sha256 } from '@noble/hashes/sha2'

export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  return hmac(sha256, key, message)
}
