// RFC 9530 digest fields (`sha-256=:<base64>:`), used by the challenge `digest` parameter to bind a request body.
// Browser-safe: hashing goes through Web Crypto (crypto.subtle), available in Node 20 and browsers.
import * as Base64Url from './Base64Url'

export type Algorithm = 'sha-256' | 'sha-512'
export type Body = string | Uint8Array | ArrayBuffer

const subtleNames: Record<Algorithm, { name: string; length: number }> = {
  'sha-256': { name: 'SHA-256', length: 32 },
  'sha-512': { name: 'SHA-512', length: 64 },
}

/** Thrown by `parse` for text that is not an RFC 9530 digest dictionary. */
export class MalformedDigestError extends Error {
  override name = 'MalformedDigestError'
}

/** Computes the digest field value of `body` (strings are hashed as UTF-8). */
export async function compute(body: Body, algorithm: Algorithm = 'sha-256'): Promise<string> {
  const hash = await hashBody(body, algorithm)
  return `${algorithm}=:${toBase64(hash)}:`
}

/**
 * Parses an RFC 8941 dictionary whose members are byte sequences (`alg=:base64:`), as RFC 9530 defines.
 * Keys are algorithm names; a repeated key keeps its last value (RFC 8941 §4.2.2).
 */
export function parse(value: string): Map<string, Uint8Array> {
  const digests = new Map<string, Uint8Array>()
  const members = value.trim() === '' ? [] : value.split(',')
  for (const raw of members) {
    const member = /^[ \t]*([a-z*][a-z0-9_\-.*]*)=:([A-Za-z0-9+/]*={0,2}):[ \t]*$/.exec(raw)
    if (!member) throw new MalformedDigestError('expected comma-separated alg=:base64: members')
    const [, algorithm, base64] = member as unknown as [string, string, string]
    let bytes: Uint8Array
    try {
      bytes = Base64Url.decode(base64.replace(/\+/g, '-').replace(/\//g, '_'))
    } catch {
      throw new MalformedDigestError(`${algorithm} is not valid base64`)
    }
    const known = subtleNames[algorithm as Algorithm]
    if (known && bytes.length !== known.length) throw new MalformedDigestError(`${algorithm} must be ${known.length} bytes`)
    digests.set(algorithm, bytes)
  }
  if (digests.size === 0) throw new MalformedDigestError('no digest members')
  return digests
}

/** Whether `body` matches every supported algorithm in `value` (and at least one is supported). */
export async function verify(value: string, body: Body): Promise<boolean> {
  let digests: Map<string, Uint8Array>
  try {
    digests = parse(value)
  } catch {
    return false
  }
  let checked = 0
  for (const [algorithm, expected] of digests) {
    if (!(algorithm in subtleNames)) continue
    const actual = await hashBody(body, algorithm as Algorithm)
    if (!bytesEqual(actual, expected)) return false
    checked++
  }
  return checked > 0
}

async function hashBody(body: Body, algorithm: Algorithm): Promise<Uint8Array> {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(body)
  // Copy into a fresh ArrayBuffer: subtle.digest refuses views over SharedArrayBuffer.
  const digest = await globalThis.crypto.subtle.digest(subtleNames[algorithm].name, bytes.slice().buffer)
  return new Uint8Array(digest)
}

function toBase64(bytes: Uint8Array): string {
  const url = Base64Url.encode(bytes)
  const padded = url + '='.repeat((4 - (url.length % 4)) % 4)
  return padded.replace(/-/g, '+').replace(/_/g, '/')
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}
