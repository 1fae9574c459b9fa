// The one validity check for challenge fields, shared by create, serialize, deserialize and credential echo.
import * as Digest from '../Digest'
import * as Jcs from '../Jcs'
import { forbiddenInFieldValue, intentToken, isPlainObject, loneSurrogate, methodId, token } from './Grammar'
import { isStringMap } from './EncodedJson'
import { isDateTime } from './Rfc3339'

export type Fields = {
  id: string
  realm: string
  method: string
  intent: string
  request: Record<string, unknown>
  expires?: string
  description?: string
  digest?: string
  opaque?: Record<string, string>
  header?: string
}

/** Returns why `fields` is not a valid Payment challenge, or undefined when it is. */
export function problem(fields: Fields): string | undefined {
  const { id, realm, method, intent, request, expires, description, digest, opaque, header } = fields
  if (typeof id !== 'string' || id === '') return 'id must be a non-empty string'
  if (typeof realm !== 'string') return 'realm must be a string'
  if (typeof method !== 'string' || !methodId.test(method)) return 'method must be lowercase letters (payment-method-id)'
  if (typeof intent !== 'string' || !intentToken.test(intent)) return 'intent must be letters, digits and "-"'
  for (const [name, value] of [
    ['id', id],
    ['realm', realm],
    ['description', description],
  ] as const) {
    if (value === undefined) continue
    if (typeof value !== 'string') return `${name} must be a string`
    if (forbiddenInFieldValue.test(value) || loneSurrogate.test(value)) return `${name} contains characters a header cannot carry`
  }
  if (!isPlainObject(request)) return 'request must be a JSON object'
  if (!canonicalizable(request)) return 'request has no canonical JSON form'
  if (expires !== undefined && (typeof expires !== 'string' || !isDateTime(expires))) return 'expires must be an RFC 3339 date-time'
  if (digest !== undefined && (typeof digest !== 'string' || !isDigest(digest))) return 'digest must be an RFC 9530 digest'
  if (opaque !== undefined && (!isStringMap(opaque) || !canonicalizable(opaque))) return 'opaque must be a JSON object of strings'
  if (header !== undefined && (typeof header !== 'string' || !token.test(header))) return 'header must be an HTTP field name'
  return undefined
}

/** Copies only the defined members, in a stable order, so equal challenges compare deep-equal. */
export function normalize<T extends Fields>(fields: T): Fields {
  const out: Fields = { id: fields.id, realm: fields.realm, method: fields.method, intent: fields.intent, request: fields.request }
  if (fields.expires !== undefined) out.expires = fields.expires
  if (fields.description !== undefined) out.description = fields.description
  if (fields.digest !== undefined) out.digest = fields.digest
  if (fields.opaque !== undefined) out.opaque = fields.opaque
  if (fields.header !== undefined) out.header = fields.header
  return out
}

function canonicalizable(value: unknown): boolean {
  try {
    Jcs.canonicalize(value)
    return true
  } catch {
    return false
  }
}

function isDigest(value: string): boolean {
  try {
    Digest.parse(value)
    return true
  } catch {
    return false
  }
}
