// A challenge's constant part, checked and encoded once: a server that offers the same terms many
// times (realm, method, intent, request, description, header) issues each challenge by binding only
// its fresh fields (expires, digest, opaque). What `issue` returns is exactly what `Challenge.create`
// and `Challenge.serialize` would give for the same fields. Browser-safe, no I/O.
import * as Challenge from './Challenge'
import * as Digest from './Digest'
import { formatParam } from './internal/AuthChallenges'
import * as EncodedJson from './internal/EncodedJson'
import { toByteString } from './internal/HeaderText'
import { prefixedHmacSha256 } from './internal/Hmac'
import * as Base64Url from './Base64Url'
import { isDateTime } from './internal/Rfc3339'

export type ChallengeTemplate = {
  /** The constant fields, normalized as `Challenge.create` normalizes them. */
  readonly fields: Readonly<Omit<Challenge.Challenge, 'id' | 'expires' | 'digest' | 'opaque'>>
  /** HMAC of `realm|method|intent|request|` with the key, continued per challenge. */
  readonly bind: (rest: Uint8Array) => Uint8Array
  /** `realm="..", method="..", intent="..", request=".."` */
  readonly head: string
  /** `, header=".."`, `, description=".."` or nothing. */
  readonly tail: string
}

export type FromParameters = Omit<Challenge.CreateParameters, 'expires' | 'digest' | 'opaque'>

/** The fields that differ between two challenges issued from one template. */
export type Fresh = { expires?: string | Date; digest?: string; opaque?: Record<string, string> }

export type Issued = { challenge: Challenge.Challenge; header: string }

const encoder = new TextEncoder()

/**
 * Validates and encodes the constant fields once (throws Challenge.InvalidChallengeFieldsError like
 * `Challenge.create`). `request` is kept by reference, as `Challenge.create` keeps it: do not mutate it afterwards.
 */
export function from(parameters: FromParameters): ChallengeTemplate {
  const { secret, ...constant } = parameters
  // One real challenge checks and normalizes the fields exactly as create does.
  const created = Challenge.create({ secret, ...constant })
  const fields: ChallengeTemplate['fields'] = {
    realm: created.realm,
    method: created.method,
    intent: created.intent,
    request: created.request,
    ...(created.description !== undefined ? { description: created.description } : {}),
    ...(created.header !== undefined ? { header: created.header } : {}),
  }
  const request = EncodedJson.encode(fields.request)
  const key = typeof secret === 'string' ? encoder.encode(secret) : secret
  const head = [
    formatParam('realm', toByteString(fields.realm)),
    formatParam('method', fields.method),
    formatParam('intent', fields.intent),
    formatParam('request', request),
  ].join(', ')
  let tail = ''
  if (fields.header !== undefined) tail += `, ${formatParam('header', fields.header)}`
  if (fields.description !== undefined) tail += `, ${formatParam('description', toByteString(fields.description))}`
  return {
    fields,
    bind: prefixedHmacSha256(key, encoder.encode(`${fields.realm}|${fields.method}|${fields.intent}|${request}|`)),
    head,
    tail,
  }
}

/** A fresh challenge and its `WWW-Authenticate` value. Throws Challenge.InvalidChallengeFieldsError for invalid fresh fields. */
export function issue(template: ChallengeTemplate, fresh: Fresh): Issued {
  const expires = fresh.expires instanceof Date ? dateTime(fresh.expires) : fresh.expires
  // toISOString of a Date in years 0-9999 is always an RFC 3339 date-time; other years or strings are checked.
  if (
    expires !== undefined &&
    (typeof expires !== 'string' || ((expires.length !== 24 || !(fresh.expires instanceof Date)) && !isDateTime(expires)))
  )
    throw new Challenge.InvalidChallengeFieldsError('expires must be an RFC 3339 date-time')
  if (fresh.digest !== undefined && !isDigest(fresh.digest))
    throw new Challenge.InvalidChallengeFieldsError('digest must be an RFC 9530 digest')
  let opaque: string | undefined
  if (fresh.opaque !== undefined) {
    if (!EncodedJson.isStringMap(fresh.opaque)) throw new Challenge.InvalidChallengeFieldsError('opaque must be a JSON object of strings')
    try {
      opaque = EncodedJson.encode(fresh.opaque)
    } catch {
      throw new Challenge.InvalidChallengeFieldsError('opaque must be a JSON object of strings')
    }
  }
  const { fields } = template
  // The binding input after the absorbed prefix: expires|digest|[header|]opaque (see internal/ChallengeId.ts).
  const rest = `${expires ?? ''}|${fresh.digest ?? ''}|${fields.header !== undefined ? `${fields.header}|` : ''}${opaque ?? ''}`
  const id = Base64Url.encode(template.bind(encoder.encode(rest)))

  const challenge: Challenge.Challenge = { id, realm: fields.realm, method: fields.method, intent: fields.intent, request: fields.request }
  if (expires !== undefined) challenge.expires = expires
  if (fields.description !== undefined) challenge.description = fields.description
  if (fresh.digest !== undefined) challenge.digest = fresh.digest
  if (fresh.opaque !== undefined) challenge.opaque = fresh.opaque
  if (fields.header !== undefined) challenge.header = fields.header

  let header = `${Challenge.scheme} ${formatParam('id', id)}, ${template.head}`
  if (expires !== undefined) header += `, ${formatParam('expires', expires)}`
  if (fresh.digest !== undefined) header += `, ${formatParam('digest', fresh.digest)}`
  if (opaque !== undefined) header += `, ${formatParam('opaque', opaque)}`
  return { challenge, header: header + template.tail }
}

function dateTime(date: Date): string {
  if (!Number.isFinite(date.getTime())) throw new Challenge.InvalidChallengeFieldsError('expires is an invalid Date')
  return date.toISOString()
}

function isDigest(value: unknown): boolean {
  if (typeof value !== 'string') return false
  try {
    Digest.parse(value)
    return true
  } catch {
    return false
  }
}
