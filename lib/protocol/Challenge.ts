// The Payment challenge: `WWW-Authenticate: Payment id="..", realm="..", method="..", intent="..", request=".."`.
// Browser-safe (the checkout page parses challenges too); verification of ids lives in server-only Binding.ts.
import { AuthSyntaxError, formatParam, parseList, type AuthChallenge } from './internal/AuthChallenges'
import * as ChallengeFields from './internal/ChallengeFields'
import * as ChallengeId from './internal/ChallengeId'
import * as EncodedJson from './internal/EncodedJson'
import { loneSurrogate } from './internal/Grammar'
import { fromByteString, HeaderTextError, toByteString } from './internal/HeaderText'
import { toEpochMs } from './internal/Rfc3339'

const loneSurrogates = new RegExp(loneSurrogate.source, 'g')

/** A Payment challenge with `request` and `opaque` decoded. Optional members are absent, never undefined. */
export type Challenge = {
  id: string
  realm: string
  method: string
  intent: string
  request: Record<string, unknown>
  expires?: string
  description?: string
  digest?: string
  opaque?: Record<string, string>
  /** Field the credential must travel in; absent means `Authorization`. */
  header?: string
}

export const scheme = 'Payment'
export const defaultCredentialHeader = 'Authorization'
/** The one alternate credential field the spec allows servers to advertise. */
export const paymentAuthorizationHeader = 'Payment-Authorization'

/** Thrown by `deserialize`/`deserializeList` for header text that is not a valid Payment challenge. */
export class MalformedChallengeError extends Error {
  override name = 'MalformedChallengeError'
}

/** Thrown by `create`/`from`/`serialize` for fields that cannot form a valid challenge (a programming error). */
export class InvalidChallengeFieldsError extends Error {
  override name = 'InvalidChallengeFieldsError'
}

export type CreateParameters = Omit<Challenge, 'id' | 'expires'> & {
  /** HMAC key for the challenge id; never sent anywhere. */
  secret: string | Uint8Array
  expires?: string | Date
}

/**
 * Builds a challenge whose id is the HMAC binding of its fields (see Binding.ts).
 * Control characters in `description` become spaces (lone surrogates U+FFFD); `header` may only be Payment-Authorization
 * (or Authorization, which is the default and therefore omitted).
 */
export function create(parameters: CreateParameters): Challenge {
  const { secret, expires, description, header, ...rest } = parameters
  const fields: Challenge = { id: '-', ...rest }
  if (expires !== undefined) fields.expires = expires instanceof Date ? toDateTime(expires) : expires
  if (description !== undefined)
    fields.description = String(description)
      .replace(/[\u0000-\u001F\u007F]+/g, ' ')
      .replace(loneSurrogates, '\uFFFD')
  const credentialHeader = normalizeHeader(header)
  if (credentialHeader !== undefined) fields.header = credentialHeader
  const challenge = from(fields)
  challenge.id = ChallengeId.compute(secret, challenge)
  return challenge
}

/** Validates a challenge whose id is already known and returns a normalized copy. */
export function from(challenge: Challenge): Challenge {
  const problem = ChallengeFields.problem(challenge)
  if (problem) throw new InvalidChallengeFieldsError(problem)
  return ChallengeFields.normalize(challenge)
}

/** The `WWW-Authenticate` field value for one challenge (quoted-string auth-params, UTF-8 bytes for non-ASCII). */
export function serialize(challenge: Challenge): string {
  const c = from(challenge)
  const params: Array<[string, string]> = [
    ['id', c.id],
    ['realm', c.realm],
    ['method', c.method],
    ['intent', c.intent],
    ['request', EncodedJson.encode(c.request)],
  ]
  if (c.expires !== undefined) params.push(['expires', c.expires])
  if (c.digest !== undefined) params.push(['digest', c.digest])
  if (c.opaque !== undefined) params.push(['opaque', EncodedJson.encode(c.opaque)])
  if (c.header !== undefined) params.push(['header', c.header])
  if (c.description !== undefined) params.push(['description', c.description])
  return `${scheme} ${params.map(([name, value]) => formatParam(name, toByteString(value))).join(', ')}`
}

/** Parses a field value that holds exactly one Payment challenge (other schemes are ignored). */
export function deserialize(value: string): Challenge {
  const challenges = deserializeList(value)
  if (challenges.length !== 1) throw new MalformedChallengeError(`expected one Payment challenge, found ${challenges.length}`)
  return challenges[0]!
}

/**
 * Parses every Payment challenge in a `WWW-Authenticate` value (several header lines joined by ", "),
 * skipping challenges of other schemes. Any malformed Payment challenge fails the whole list.
 */
export function deserializeList(value: string): Challenge[] {
  if (typeof value !== 'string') throw new MalformedChallengeError('header value must be a string')
  let list: AuthChallenge[]
  try {
    list = parseList(value)
  } catch (error) {
    if (error instanceof AuthSyntaxError) throw new MalformedChallengeError(error.message)
    throw error
  }
  return list.filter((c) => c.scheme.toLowerCase() === 'payment').map(toChallenge)
}

/** Whether the challenge has an `expires` at or before `now`. An unreadable expiry counts as expired. */
export function isExpired(challenge: Pick<Challenge, 'expires'>, now: Date | number = Date.now()): boolean {
  if (challenge.expires === undefined) return false
  const expiresAt = toEpochMs(challenge.expires)
  return expiresAt === undefined || expiresAt <= Number(now)
}

/** The request field a client must put the credential in. */
export function credentialHeader(challenge: Pick<Challenge, 'header'>): string {
  return challenge.header ?? defaultCredentialHeader
}

function toChallenge(raw: AuthChallenge): Challenge {
  if (raw.token68 !== undefined) throw new MalformedChallengeError('a Payment challenge carries auth-params, not a token68')
  const params = new Map<string, string>()
  for (const [name, value] of raw.params) {
    if (params.has(name)) throw new MalformedChallengeError(`duplicate parameter "${name}"`)
    try {
      params.set(name, fromByteString(value))
    } catch (error) {
      if (error instanceof HeaderTextError) throw new MalformedChallengeError(`parameter "${name}": ${error.message}`)
      throw error
    }
  }
  const required = (name: string): string => {
    const value = params.get(name)
    if (value === undefined) throw new MalformedChallengeError(`missing required parameter "${name}"`)
    return value
  }
  const fields: Challenge = {
    id: required('id'),
    realm: required('realm'),
    method: required('method'),
    intent: required('intent'),
    request: decode(() => EncodedJson.decodeObject(required('request'), 'request')),
  }
  for (const name of ['expires', 'description', 'digest', 'header'] as const) {
    const value = params.get(name)
    if (value !== undefined) fields[name] = value
  }
  const opaque = params.get('opaque')
  if (opaque !== undefined) fields.opaque = decode(() => EncodedJson.decodeStringMap(opaque, 'opaque'))
  const problem = ChallengeFields.problem(fields)
  if (problem) throw new MalformedChallengeError(problem)
  return ChallengeFields.normalize(fields)
}

function decode<T>(run: () => T): T {
  try {
    return run()
  } catch (error) {
    if (error instanceof EncodedJson.EncodedJsonError) throw new MalformedChallengeError(error.message)
    throw error
  }
}

function normalizeHeader(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const lower = String(header).toLowerCase()
  if (lower === defaultCredentialHeader.toLowerCase()) return undefined
  if (lower === paymentAuthorizationHeader.toLowerCase()) return paymentAuthorizationHeader
  throw new InvalidChallengeFieldsError(`header must be ${paymentAuthorizationHeader}`)
}

function toDateTime(date: Date): string {
  if (!Number.isFinite(date.getTime())) throw new InvalidChallengeFieldsError('expires is an invalid Date')
  return date.toISOString()
}
