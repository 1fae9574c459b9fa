// Header values are byte strings; non-ASCII text travels as UTF-8 bytes in quoted-string obs-text.
// The Fetch API exposes those bytes one per UTF-16 unit (latin1), so we convert at the edge.
// Bytes that are not UTF-8 are read as ISO-8859-1, HTTP's historical charset (mppx writes é that way).

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Thrown when header text is not a byte string. */
export class HeaderTextError extends Error {
  override name = 'HeaderTextError'
}

/** Unicode text -> header byte string (one char per UTF-8 byte). */
export function toByteString(text: string): string {
  const bytes = encoder.encode(text)
  let out = ''
  for (const byte of bytes) out += String.fromCharCode(byte)
  return out
}

/** Header byte string -> Unicode text: UTF-8 when the bytes are UTF-8, else ISO-8859-1 (unchanged). */
export function fromByteString(value: string): string {
  let ascii = true
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code > 0xff) throw new HeaderTextError('header value is not a byte string')
    if (code > 0x7f) ascii = false
  }
  if (ascii) return value
  const bytes = new Uint8Array(value.length)
  for (let i = 0; i < value.length; i++) bytes[i] = value.charCodeAt(i)
  try {
    return decoder.decode(bytes)
  } catch {
    return value
  }
}
