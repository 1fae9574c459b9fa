// HMAC-SHA256 (RFC 2104) over viem's pure-JS SHA-256, so challenge ids can be computed without node:crypto.
import { sha256 } from 'viem'

const blockSize = 64

export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  const block = new Uint8Array(blockSize)
  block.set(key.length > blockSize ? sha256(key, 'bytes') : key)
  const inner = new Uint8Array(blockSize + message.length)
  const outer = new Uint8Array(blockSize + 32)
  for (let i = 0; i < blockSize; i++) {
    inner[i] = block[i]! ^ 0x36
    outer[i] = block[i]! ^ 0x5c
  }
  inner.set(message, blockSize)
  outer.set(sha256(inner, 'bytes'), blockSize)
  return sha256(outer, 'bytes')
}
