// base64url without padding (RFC 4648 §5), the encoding of every MPP header payload.
// Browser-safe: no Buffer, no node:* imports.

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const lookup = new Int16Array(128).fill(-1)
for (let i = 0; i < alphabet.length; i++) lookup[alphabet.charCodeAt(i)] = i

const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Thrown by every decoder in this module for input that is not strict base64url (or not UTF-8 / JSON). */
export class InvalidBase64UrlError extends Error {
  override name = 'InvalidBase64UrlError'
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`Invalid base64url: ${detail}`, options)
  }
}

/** Encodes bytes, or a string as UTF-8, to base64url without padding. */
export function encode(value: string | Uint8Array): string {
  const bytes = typeof value === 'string' ? utf8Encoder.encode(value) : value
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = bytes[i]! << 16
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]!
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]!
  }
  return out
}

/**
 * Decodes base64url to bytes. Strict: only the URL-safe alphabet, padding optional but
 * exact when present, and unused trailing bits must be zero (one canonical text per byte string).
 */
export function decode(value: string): Uint8Array {
  if (typeof value !== 'string') throw new InvalidBase64UrlError('not a string')
  let end = value.length
  while (end > 0 && value.charCodeAt(end - 1) === 61 /* = */) end--
  const padding = value.length - end
  if (padding > 0 && (padding > 2 || value.length % 4 !== 0)) throw new InvalidBase64UrlError('wrong padding')
  if (end % 4 === 1) throw new InvalidBase64UrlError('impossible length')
  const out = new Uint8Array(Math.floor((end * 3) / 4))
  let buffer = 0
  let bits = 0
  let o = 0
  for (let i = 0; i < end; i++) {
    const code = value.charCodeAt(i)
    const sextet = code < 128 ? lookup[code]! : -1
    if (sextet < 0) throw new InvalidBase64UrlError(`unexpected character at offset ${i}`)
    buffer = ((buffer << 6) | sextet) & 0xffffff
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[o++] = (buffer >> bits) & 0xff
    }
  }
  if (bits > 0 && (buffer & ((1 << bits) - 1)) !== 0) throw new InvalidBase64UrlError('non-canonical trailing bits')
  return out
}

/** Decodes base64url to a string, requiring well-formed UTF-8. */
export function decodeString(value: string): string {
  const bytes = decode(value)
  try {
    return utf8Decoder.decode(bytes)
  } catch (cause) {
    throw new InvalidBase64UrlError('payload is not UTF-8', { cause })
  }
}

/** Decodes base64url UTF-8 JSON to an unchecked value; callers validate its shape. */
export function decodeJson(value: string): unknown {
  const text = decodeString(value)
  try {
    return JSON.parse(text) as unknown
  } catch (cause) {
    throw new InvalidBase64UrlError('payload is not JSON', { cause })
  }
}
