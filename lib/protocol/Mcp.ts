// The Payment scheme over JSON-RPC and MCP (mpp-specs draft-payment-transport-mcp-00): challenges in a -32042/-32043
// error's `data` with `request` as a native JSON object, the credential in `_meta["org.paymentauth/credential"]`,
// the receipt in `result._meta["org.paymentauth/receipt"]`. Pure and browser-safe. See docs/mcp.md.
import { z } from 'zod'
import * as Challenge from './Challenge'
import type { Credential } from './Credential'
import { maxLength as maxCredentialLength } from './Credential'
import * as Digest from './Digest'
import * as Jcs from './Jcs'
import * as Problem from './Problem'
import * as Receipt from './Receipt'
import * as ChallengeFields from './internal/ChallengeFields'
import * as EncodedJson from './internal/EncodedJson'
import { intentToken, isPlainObject, methodId } from './internal/Grammar'
import { isDateTime } from './internal/Rfc3339'

/** `-32042` Payment Required: the error's data holds the challenges. */
export const paymentRequiredCode = -32042
/** `-32043` Payment Verification Failed: fresh challenges and why the credential failed. */
export const verificationFailedCode = -32043
/** JSON-RPC Invalid params: the spec's code for a malformed credential. */
export const invalidParamsCode = -32602
/** JSON-RPC Internal error: only for the server's own failures (a payment processor down), never a client's mistake. */
export const internalErrorCode = -32603

export const credentialMetaKey = 'org.paymentauth/credential'
export const receiptMetaKey = 'org.paymentauth/receipt'

/** The MCP operations the spec lets a server put a price on. */
export const payableMethods = ['tools/call', 'resources/read', 'prompts/get'] as const
export type PayableMethod = (typeof payableMethods)[number]

export function isPayableMethod(method: unknown): method is PayableMethod {
  return typeof method === 'string' && (payableMethods as readonly string[]).includes(method)
}

/** `capabilities.experimental.payment` of an InitializeResult (or InitializeRequest). */
export type Capability = { methods: Record<string, { intents: string[] }> }

/** The capability object for the offers a server makes (duplicates merged, order kept). Throws on a bad method/intent. */
export function capability(offers: Iterable<{ method: string; intent: string }>): Capability {
  const methods: Record<string, { intents: string[] }> = {}
  for (const { method, intent } of offers) {
    if (!methodId.test(method)) throw new Challenge.InvalidChallengeFieldsError(`method must be lowercase letters: ${method}`)
    if (!intentToken.test(intent)) throw new Challenge.InvalidChallengeFieldsError(`intent must be letters, digits and "-": ${intent}`)
    const entry = Object.hasOwn(methods, method) ? methods[method]! : (methods[method] = { intents: [] })
    if (!entry.intents.includes(intent)) entry.intents.push(intent)
  }
  return { methods }
}

// --- challenges ----------------------------------------------------------------------------------

/** A challenge as JSON-RPC carries it: `request` a JSON object, `opaque` the base64url(JCS) string HTTP uses. */
export type ChallengeJson = {
  id: string
  realm: string
  method: string
  intent: string
  request: Record<string, unknown>
  expires?: string
  description?: string
  digest?: string
  opaque?: string
  header?: string
}

/**
 * The wire object of a challenge. Its id is unchanged: the binding hashes JCS(request) either way, so one challenge
 * is valid on HTTP and on MCP. `opaque` keeps the core spec's string form (the transport spec frees only `request`).
 */
export function challengeToJson(challenge: Challenge.Challenge): ChallengeJson {
  const c = Challenge.from(challenge)
  const json: ChallengeJson = { id: c.id, realm: c.realm, method: c.method, intent: c.intent, request: c.request }
  if (c.expires !== undefined) json.expires = c.expires
  if (c.description !== undefined) json.description = c.description
  if (c.digest !== undefined) json.digest = c.digest
  if (c.opaque !== undefined) json.opaque = EncodedJson.encode(c.opaque)
  if (c.header !== undefined) json.header = c.header
  return json
}

const optionalString = z.string().optional()
const challengeSchema = z.object({
  id: z.string(),
  realm: z.string(),
  method: z.string(),
  intent: z.string(),
  request: z.custom<Record<string, unknown>>(isPlainObject, 'must be a JSON object'),
  expires: optionalString,
  description: optionalString,
  digest: optionalString,
  opaque: optionalString,
  header: optionalString,
})

const requiredChallengeFields = ['id', 'realm', 'method', 'intent', 'request'] as const

/**
 * Reads a challenge object (from error data or a credential's echo). Unknown members (mppx's `meta`) are ignored.
 * `label` names the object in error details (`Missing required field: challenge.id`, as the spec's example reads).
 */
export function challengeFromJson(value: unknown, label = 'challenge'): Challenge.Challenge {
  if (!isPlainObject(value)) throw new Challenge.MalformedChallengeError(`${label} must be a JSON object`)
  for (const name of requiredChallengeFields)
    if (!Object.hasOwn(value, name)) throw new Challenge.MalformedChallengeError(`Missing required field: ${label}.${name}`)
  const parsed = challengeSchema.safeParse(value)
  if (!parsed.success) throw new Challenge.MalformedChallengeError(describe(parsed.error, label))
  const { opaque, ...fields } = parsed.data
  const challenge: Challenge.Challenge = {
    id: fields.id,
    realm: fields.realm,
    method: fields.method,
    intent: fields.intent,
    request: fields.request,
  }
  for (const name of ['expires', 'description', 'digest', 'header'] as const) if (fields[name] !== undefined) challenge[name] = fields[name]
  if (opaque !== undefined) {
    try {
      challenge.opaque = EncodedJson.decodeStringMap(opaque, 'opaque')
    } catch (error) {
      if (error instanceof EncodedJson.EncodedJsonError) throw new Challenge.MalformedChallengeError(`${label}.${error.message}`)
      throw error
    }
  }
  const problem = ChallengeFields.problem(challenge)
  if (problem) throw new Challenge.MalformedChallengeError(`${label}: ${problem}`)
  return ChallengeFields.normalize(challenge)
}

// --- credentials ---------------------------------------------------------------------------------

/** `_meta["org.paymentauth/credential"]`: the echoed challenge, the method's proof, the payer. */
export type CredentialJson = { challenge: ChallengeJson; payload: Record<string, unknown>; source?: string }

/** The credential object a client puts in `_meta` (the challenge echoed as `challengeToJson` writes it). */
export function credentialToJson(credential: Credential): CredentialJson {
  const json: CredentialJson = { challenge: challengeToJson(credential.challenge), payload: credential.payload }
  if (credential.source !== undefined) json.source = credential.source
  return json
}

const credentialSchema = z.object({
  challenge: z.unknown(),
  payload: z.custom<Record<string, unknown>>(isPlainObject, 'must be a JSON object'),
  source: optionalString,
})

/**
 * Reads `_meta["org.paymentauth/credential"]`. Throws Problem.MalformedCredentialError (JSON-RPC -32602) whose
 * detail names the bad field and never quotes the credential.
 */
export function credentialFromJson(value: unknown): Credential {
  if (!isPlainObject(value)) throw new Problem.MalformedCredentialError('credential must be a JSON object')
  let size: number
  try {
    size = Jcs.canonicalize(value).length
  } catch {
    throw new Problem.MalformedCredentialError('credential has no canonical JSON form')
  }
  if (size > maxCredentialLength) throw new Problem.MalformedCredentialError('credential is too large')
  for (const name of ['challenge', 'payload'])
    if (!Object.hasOwn(value, name)) throw new Problem.MalformedCredentialError(`Missing required field: ${name}`)
  const parsed = credentialSchema.safeParse(value)
  if (!parsed.success) throw new Problem.MalformedCredentialError(describe(parsed.error))
  let challenge: Challenge.Challenge
  try {
    challenge = challengeFromJson(parsed.data.challenge)
  } catch (error) {
    if (error instanceof Challenge.MalformedChallengeError) throw new Problem.MalformedCredentialError(error.message)
    throw error
  }
  const credential: Credential = { challenge, payload: parsed.data.payload }
  if (parsed.data.source !== undefined) credential.source = parsed.data.source
  return credential
}

/**
 * The credential of a JSON-RPC message, from `params._meta` (MCP) or the root `_meta` (generic JSON-RPC); null when
 * neither holds one. Both holding the same credential is one credential; different ones are malformed.
 * Call it only for an operation that needs payment: the spec says to ignore credentials everywhere else.
 */
export function credentialFromMessage(message: unknown): Credential | null {
  if (!isPlainObject(message)) return null
  const nested = isPlainObject(message.params) ? metaCredential(message.params, 'params._meta') : undefined
  const root = metaCredential(message, '_meta')
  if (nested === undefined && root === undefined) return null
  if (nested !== undefined && root !== undefined && canonical(nested) !== canonical(root))
    throw new Problem.MalformedCredentialError('send one credential: params._meta and _meta hold different ones')
  return credentialFromJson(nested ?? root)
}

function metaCredential(holder: Record<string, unknown>, label: string): unknown {
  if (!Object.hasOwn(holder, '_meta')) return undefined
  const meta = holder._meta
  if (!isPlainObject(meta)) throw new Problem.MalformedCredentialError(`${label} must be a JSON object`)
  return Object.hasOwn(meta, credentialMetaKey) ? meta[credentialMetaKey] : undefined
}

function canonical(value: unknown): string | undefined {
  try {
    return Jcs.canonicalize(value)
  } catch {
    return undefined
  }
}

// --- errors --------------------------------------------------------------------------------------

/** A JSON-RPC error object (the `error` member of a response). */
export type ErrorObject<Data = unknown> = { code: number; message: string; data: Data }

/** What -32043 adds beside the problem: the spec's machine-readable reason and text. */
export type Failure = { reason: string; detail: string }

/** `error.data` of -32042 and -32043. */
export type PaymentErrorData = {
  httpStatus: number
  challenges: ChallengeJson[]
  problem: Problem.Body
  failure?: Failure
}

/** `error.data` of -32602 for a malformed credential. */
export type MalformedCredentialData = {
  detail: string
  problem: Problem.Body
  httpStatus?: number
  challenges?: ChallengeJson[]
}

export type ErrorOptions = {
  /** Problem extension naming the challenge the problem is about (the spec allows `challengeId` in `problem`). */
  challengeId?: string
}

/** -32042 with one challenge per offer (alternatives; the client pays one). */
export function paymentRequired(
  challenges: readonly Challenge.Challenge[],
  problem: Problem.PaymentProblem = new Problem.PaymentRequiredError('Payment is required for this operation.'),
  options: ErrorOptions = {},
): ErrorObject<PaymentErrorData> {
  return {
    code: paymentRequiredCode,
    message: 'Payment Required',
    data: { httpStatus: 402, challenges: toJsonList(challenges), problem: problemBody(problem, options) },
  }
}

/** -32043: the credential did not verify; the client should pay one of the fresh challenges. */
export function verificationFailed(
  challenges: readonly Challenge.Challenge[],
  problem: Problem.PaymentProblem,
  options: ErrorOptions = {},
): ErrorObject<PaymentErrorData> {
  return {
    code: verificationFailedCode,
    message: 'Payment Verification Failed',
    data: {
      httpStatus: problem.status,
      challenges: toJsonList(challenges),
      problem: problemBody(problem, options),
      failure: { reason: problem.code, detail: problem.detail },
    },
  }
}

/** -32602 for a credential that cannot be read; `challenges` lets a client retry at once (the spec needs only `detail`). */
export function malformedCredential(
  problem: Problem.MalformedCredentialError | string,
  challenges: readonly Challenge.Challenge[] = [],
  options: ErrorOptions = {},
): ErrorObject<MalformedCredentialData> {
  const error = typeof problem === 'string' ? new Problem.MalformedCredentialError(problem) : problem
  const data: MalformedCredentialData = { detail: error.detail, problem: problemBody(error, options) }
  if (challenges.length > 0) {
    data.httpStatus = error.status
    data.challenges = toJsonList(challenges)
  }
  return { code: invalidParamsCode, message: 'Invalid params', data }
}

/** -32603 for the server's own failure (its detail is shown to the client: no secrets). */
export function internalError(detail = 'The payment could not be processed; try again later.'): ErrorObject<{ detail: string }> {
  return { code: internalErrorCode, message: 'Internal error', data: { detail } }
}

/** Implementation-defined JSON-RPC server error (-32000…-32099) for a refusal that is not about the payment itself. */
export const refusedCode = -32000

/**
 * A refusal that is not about the credential (too many requests, sold out, closed, the payment network down) as a
 * JSON-RPC error: `data = { httpStatus, problem }`. 5xx is the server's side (-32603, the spec's internal payment
 * error); the rest are answers about the request, never -32603.
 */
export function refused(refusal: {
  status: number
  title: string
  detail: string
  retryAfterSeconds?: number
}): ErrorObject<{ httpStatus: number; problem: Problem.Body; retryAfterSeconds?: number }> {
  const { status, title, detail, retryAfterSeconds } = refusal
  const problem: Problem.Body = { type: 'about:blank', title, status, detail }
  return {
    code: status >= 500 ? internalErrorCode : refusedCode,
    message: title,
    data: { httpStatus: status, problem, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) },
  }
}

/** The error object for any payment problem: payment-required -32042, malformed-credential -32602, the rest -32043. */
export function errorFor(
  problem: Problem.PaymentProblem,
  challenges: readonly Challenge.Challenge[],
  options: ErrorOptions = {},
): ErrorObject<PaymentErrorData | MalformedCredentialData> {
  if (problem instanceof Problem.PaymentRequiredError) return paymentRequired(challenges, problem, options)
  if (problem instanceof Problem.MalformedCredentialError) return malformedCredential(problem, challenges, options)
  return verificationFailed(challenges, problem, options)
}

/** What a client can read from a -32042/-32043 error; null for any other error or data without a valid challenge. */
export type PaymentRequiredInfo = { code: number; challenges: Challenge.Challenge[]; problem?: Problem.PaymentProblem }

/** Reads a JSON-RPC error object (client side). Challenges that do not parse are skipped; none left means null. */
export function paymentRequiredFromError(error: unknown): PaymentRequiredInfo | null {
  if (!isPlainObject(error)) return null
  const { code, data } = error
  if (code !== paymentRequiredCode && code !== verificationFailedCode) return null
  if (!isPlainObject(data) || !Array.isArray(data.challenges)) return null
  const challenges: Challenge.Challenge[] = []
  for (const value of data.challenges as unknown[]) {
    try {
      challenges.push(challengeFromJson(value))
    } catch (cause) {
      if (!(cause instanceof Challenge.MalformedChallengeError)) throw cause
    }
  }
  if (challenges.length === 0) return null
  const problem = Problem.fromJSON(data.problem)
  return problem ? { code, challenges, problem } : { code, challenges }
}

function toJsonList(challenges: readonly Challenge.Challenge[]): ChallengeJson[] {
  if (challenges.length === 0) throw new Challenge.InvalidChallengeFieldsError('a payment error needs at least one challenge')
  return challenges.map(challengeToJson)
}

function problemBody(problem: Problem.PaymentProblem, options: ErrorOptions): Problem.Body {
  return Problem.toJSON(problem, options.challengeId === undefined ? {} : { challengeId: options.challengeId })
}

// --- receipts ------------------------------------------------------------------------------------

/** `result._meta["org.paymentauth/receipt"]`: `challengeId` is required here, `reference` optional (unlike HTTP). */
export type ReceiptJson = {
  status: 'success'
  method: string
  timestamp: string
  challengeId: string
  reference?: string
  [field: string]: unknown
}

const receiptSchema = z.looseObject({
  status: z.literal('success'),
  method: z.string().regex(methodId),
  timestamp: z.string().refine(isDateTime, 'must be an RFC 3339 date-time'),
  challengeId: z.string().min(1),
  reference: optionalString,
})

/** The MCP receipt for an HTTP-style receipt and the challenge it paid. Throws Receipt.InvalidReceiptFieldsError. */
export function receipt(receipt: Receipt.Receipt, challengeId: string = receipt.challengeId as string): ReceiptJson {
  if (receipt.challengeId !== undefined && receipt.challengeId !== challengeId)
    throw new Receipt.InvalidReceiptFieldsError('receipt.challengeId names another challenge')
  const json = { ...receipt, challengeId }
  const parsed = receiptSchema.safeParse(json)
  if (!parsed.success) throw new Receipt.InvalidReceiptFieldsError(describe(parsed.error, 'receipt'))
  if (canonical(json) === undefined) throw new Receipt.InvalidReceiptFieldsError('receipt has no canonical JSON form')
  return json as ReceiptJson
}

/** Validates a receipt object read from a response (client side). Throws Receipt.MalformedReceiptError. */
export function receiptFromJson(value: unknown): ReceiptJson {
  if (!isPlainObject(value)) throw new Receipt.MalformedReceiptError('receipt is not a JSON object')
  const parsed = receiptSchema.safeParse(value)
  if (!parsed.success) throw new Receipt.MalformedReceiptError(describe(parsed.error, 'receipt'))
  // The object itself, not zod's copy: looseObject would re-assign a "__proto__" member.
  return value as ReceiptJson
}

/** A copy of `result` whose `_meta` also holds the receipt (other `_meta` members kept). */
export function withReceipt<Result extends object>(result: Result, receipt: ReceiptJson): Result & { _meta: Record<string, unknown> } {
  const meta = (result as { _meta?: unknown })._meta
  return { ...result, _meta: { ...(isPlainObject(meta) ? meta : {}), [receiptMetaKey]: receipt } }
}

/** The receipt of a result (client side): null when there is none; throws Receipt.MalformedReceiptError when malformed. */
export function receiptFromResult(result: unknown): ReceiptJson | null {
  if (!isPlainObject(result) || !isPlainObject(result._meta) || !Object.hasOwn(result._meta, receiptMetaKey)) return null
  return receiptFromJson(result._meta[receiptMetaKey])
}

// --- operation binding -----------------------------------------------------------------------------

export type Operation = { method: PayableMethod; name: string; arguments?: unknown }

/**
 * A challenge `digest` for one operation: sha-256 of JCS({method, name, arguments}). Bound into the challenge id, it
 * keeps a payment for one tool call (or these arguments) from being spent on another, as the spec recommends.
 * Throws Jcs.CanonicalizationError for arguments without a canonical form.
 */
export function operationDigest(operation: Operation): Promise<string> {
  const { method, name } = operation
  return Digest.compute(Jcs.canonicalize({ method, name, arguments: operation.arguments ?? {} }))
}

/** `label.path: message` of the first issue (zod's messages name types and formats, never the value). */
function describe(error: z.ZodError, label?: string): string {
  const issue = error.issues[0]
  const path = [...(label === undefined ? [] : [label]), ...(issue?.path ?? []).map(String)].join('.')
  const message = issue?.message ?? 'is invalid'
  return path === '' ? message : `${path}: ${message}`
}
