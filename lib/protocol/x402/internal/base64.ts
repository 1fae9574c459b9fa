// Standard base64 (RFC 4648 section 4) of UTF-8 text, which is what every x402 v2 HTTP header carries.

// Whole quanta, then an optional final quantum, padded or not; no whitespace, no base64url alphabet.
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/

const utf8Decoder = new TextDecoder('utf-8', { fatal: true })
const utf8Encoder = new TextEncoder()

export function encode(text: string): string {
  let binary = ''
  for (const byte of utf8Encoder.encode(text)) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/** Decodes base64 to UTF-8 text; returns undefined when the input is not strictly that. */
export function decode(value: string): string | undefined {
  if (!base64Pattern.test(value)) return undefined
  try {
    const binary = atob(value)
    const bytes = new Uint8Array(binary.length)
    for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index)
    return utf8Decoder.decode(bytes)
  } catch {
    return undefined
  }
}
