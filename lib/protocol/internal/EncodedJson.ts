// `request` and `opaque` travel as base64url(JCS(object)); these are their two directions.
import * as Base64Url from '../Base64Url'
import * as Jcs from '../Jcs'
import { base64urlNopad, isPlainObject } from './Grammar'

/** Thrown when an encoded parameter is not base64url JSON of the expected shape. */
export class EncodedJsonError extends Error {
  override name = 'EncodedJsonError'
}

/** base64url (no padding) of the JCS text of `value`. */
export function encode(value: Record<string, unknown>): string {
  return Base64Url.encode(Jcs.canonicalize(value))
}

/** Decodes a base64url-nopad JSON object that also has a canonical form (so it can be bound). */
export function decodeObject(encoded: string, label: string): Record<string, unknown> {
  if (!base64urlNopad.test(encoded)) throw new EncodedJsonError(`${label} is not base64url without padding`)
  let value: unknown
  try {
    value = Base64Url.decodeJson(encoded)
  } catch {
    throw new EncodedJsonError(`${label} is not base64url-encoded UTF-8 JSON`)
  }
  if (!isPlainObject(value)) throw new EncodedJsonError(`${label} is not a JSON object`)
  try {
    Jcs.canonicalize(value)
  } catch {
    throw new EncodedJsonError(`${label} has no canonical JSON form`)
  }
  return value
}

/** Decodes `opaque`: a flat JSON object whose values are all strings. */
export function decodeStringMap(encoded: string, label: string): Record<string, string> {
  const value = decodeObject(encoded, label)
  if (!isStringMap(value)) throw new EncodedJsonError(`${label} is not a JSON object of strings`)
  return value
}

export function isStringMap(value: unknown): value is Record<string, string> {
  return isPlainObject(value) && Object.values(value).every((entry) => typeof entry === 'string')
}
