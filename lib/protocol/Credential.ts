// The Payment credential: `Authorization: Payment <base64url(JSON {challenge, payload, source?})>`.
// The client echoes the challenge with `request`/`opaque` still base64url strings; we decode them here.
// Browser-safe. Every parse failure is a MalformedCredentialError, whose detail never quotes the credential.
import { z } from 'zod'
import * as Base64Url from './Base64Url'
import type { Challenge } from './Challenge'
import * as Jcs from './Jcs'
import * as ChallengeFields from './internal/ChallengeFields'
import * as EncodedJson from './internal/EncodedJson'
import { base64urlNopad, isPlainObject } from './internal/Grammar'
import { MalformedCredentialError } from './Problem'

export type Credential = {
  /** The echoed challenge, decoded like Challenge.deserialize decodes it. */
  challenge: Challenge
  /** Method-specific proof (a JSON object); the method's own schema validates it. */
  payload: Record<string, unknown>
  /** Payer identifier, e.g. a DID. */
  source?: string
}

export const scheme = 'Payment'
/** Request fields that may carry a credential, in the order they are read. */
export const headerNames = ['Authorization', 'Payment-Authorization'] as const

/** Larger values are rejected before decoding (the spec requires handling at least 4 KB). */
export const maxLength = 64 * 1024

const echoSchema = z.object({
  id: z.string(),
  realm: z.string(),
  method: z.string(),
  intent: z.string(),
  request: z.string(),
  expires: z.string().optional(),
  description: z.string().optional(),
  digest: z.string().optional(),
  opaque: z.string().optional(),
  header: z.string().optional(),
})

const wireSchema = z.object({
  challenge: echoSchema,
  payload: z.custom<Record<string, unknown>>(isPlainObject, 'payload must be a JSON object'),
  source: z.string().optional(),
})

export function from(credential: Credential): Credential {
  const { challenge, payload, source } = credential
  return source === undefined ? { challenge, payload } : { challenge, payload, source }
}

/** The `Authorization` field value: `Payment <base64url(JCS(credential))>`. */
export function serialize(credential: Credential): string {
  const { request, opaque, ...params } = ChallengeFields.normalize(credential.challenge)
  const echo: Record<string, unknown> = { ...params, request: EncodedJson.encode(request) }
  if (opaque !== undefined) echo.opaque = EncodedJson.encode(opaque)
  const wire: Record<string, unknown> = { challenge: echo, payload: credential.payload }
  if (credential.source !== undefined) wire.source = credential.source
  return `${scheme} ${Base64Url.encode(Jcs.canonicalize(wire))}`
}

/** Parses `Payment <base64url-nopad>` (scheme case-insensitive, exactly one token) into a validated credential. */
export function deserialize(value: string): Credential {
  if (typeof value !== 'string') throw new MalformedCredentialError('credential must be a string')
  if (value.length > maxLength) throw new MalformedCredentialError('credential is too large')
  const match = /^[ \t]*([!#$%&'*+.^_`|~0-9A-Za-z-]+) +([^ \t]*)[ \t]*$/.exec(value)
  if (!match || match[1]!.toLowerCase() !== 'payment') throw new MalformedCredentialError('expected "Payment <base64url>"')
  const token = match[2]!
  if (!base64urlNopad.test(token)) throw new MalformedCredentialError('credential is not base64url without padding')
  let json: unknown
  try {
    json = Base64Url.decodeJson(token)
  } catch (cause) {
    throw new MalformedCredentialError('credential is not base64url-encoded JSON', { cause })
  }
  const parsed = wireSchema.safeParse(json)
  if (!parsed.success) throw new MalformedCredentialError(`credential has the wrong shape: ${describe(parsed.error)}`)
  const { challenge: echo, payload, source } = parsed.data
  let challenge: Challenge
  try {
    const { request, opaque, ...params } = echo
    challenge = { ...params, request: EncodedJson.decodeObject(request, 'challenge.request') }
    if (opaque !== undefined) challenge.opaque = EncodedJson.decodeStringMap(opaque, 'challenge.opaque')
  } catch (cause) {
    if (cause instanceof EncodedJson.EncodedJsonError) throw new MalformedCredentialError(cause.message, { cause })
    throw cause
  }
  const problem = ChallengeFields.problem(challenge)
  if (problem) throw new MalformedCredentialError(`echoed challenge is invalid: ${problem}`)
  if (!canonicalizable(payload)) throw new MalformedCredentialError('payload has no canonical JSON form')
  return from({ challenge: ChallengeFields.normalize(challenge), payload, source })
}

/**
 * Finds the Payment credential of a request: `Authorization` (other schemes there are ignored) or
 * `Payment-Authorization`. Returns undefined when there is none; more than one is malformed.
 */
export function fromHeaders(headers: Headers): Credential | undefined {
  const candidates: string[] = []
  for (const name of headerNames) {
    const value = headers.get(name)
    if (value === null) continue
    // Fetch joins repeated fields with ", "; a base64url token never contains a comma.
    for (const element of value.split(',')) {
      const trimmed = element.trim()
      if (name === 'Payment-Authorization' || /^payment(?:[ \t]|$)/i.test(trimmed)) candidates.push(trimmed)
    }
  }
  if (candidates.length === 0) return undefined
  if (candidates.length > 1) throw new MalformedCredentialError('send exactly one Payment credential')
  return deserialize(candidates[0]!)
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0]
  if (!issue) return 'invalid'
  const path = issue.path.length > 0 ? issue.path.join('.') : 'credential'
  return `${path}: ${issue.message}`
}

function canonicalizable(value: unknown): boolean {
  try {
    Jcs.canonicalize(value)
    return true
  } catch {
    return false
  }
}
