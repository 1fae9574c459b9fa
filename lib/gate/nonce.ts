// Challenge nonces: 12 random bytes as base64url, cut from a pool filled by the CSPRNG so the hot
// 402 path makes one system call per few hundred challenges instead of one each. Every byte is used once.
import { randomFillSync } from 'node:crypto'

const NONCE_BYTES = 12
const pool = Buffer.alloc(NONCE_BYTES * 256)
let offset = pool.length

/** 16 base64url characters of fresh randomness (96 bits). */
export function challengeNonce(): string {
  if (offset === pool.length) {
    randomFillSync(pool)
    offset = 0
  }
  const nonce = pool.toString('base64url', offset, offset + NONCE_BYTES)
  offset += NONCE_BYTES
  return nonce
}
