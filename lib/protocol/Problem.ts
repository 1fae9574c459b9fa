// RFC 9457 problem details for every Payment problem type (https://paymentauth.org/problems/<code>).
// Each failure is a typed error; the gate maps it to a status, a body and a fresh challenge.

export const baseUri = 'https://paymentauth.org/problems/'
export const contentType = 'application/problem+json'

/** Registered problem types: title and HTTP status, as the spec's error-code table defines them. */
export const definitions = {
  'payment-required': { title: 'Payment Required', status: 402 },
  'payment-insufficient': { title: 'Payment Insufficient', status: 402 },
  'payment-expired': { title: 'Payment Expired', status: 402 },
  'verification-failed': { title: 'Verification Failed', status: 402 },
  'method-unsupported': { title: 'Method Unsupported', status: 400 },
  'malformed-credential': { title: 'Malformed Credential', status: 402 },
  'invalid-challenge': { title: 'Invalid Challenge', status: 402 },
  // The session intent's types (draft-evm-session-00, Problem Type Registration), under the same base URI.
  'session/invalid-signature': { title: 'Invalid Signature', status: 402 },
  'session/signer-mismatch': { title: 'Signer Mismatch', status: 402 },
  'session/amount-exceeds-deposit': { title: 'Amount Exceeds Deposit', status: 402 },
  'session/delta-too-small': { title: 'Delta Too Small', status: 402 },
  'session/channel-not-found': { title: 'Channel Not Found', status: 410 },
  'session/channel-finalized': { title: 'Channel Finalized', status: 410 },
  'session/challenge-not-found': { title: 'Challenge Not Found', status: 402 },
  'session/insufficient-balance': { title: 'Insufficient Balance', status: 402 },
  'session/transaction-reverted': { title: 'Transaction Reverted', status: 409 },
} as const satisfies Record<string, { title: string; status: number }>

export type Code = keyof typeof definitions

/** The JSON body of a problem response. Extension members (e.g. `challengeId`) sit beside the standard ones. */
export type Body = { type: string; title: string; status: number; detail: string; [extension: string]: unknown }

export type Options = {
  cause?: unknown
  /** Extension members the body carries beside the standard ones (e.g. a session problem's `channelId`). */
  extensions?: Record<string, unknown>
}

/** Base class of every payment failure. `detail` is shown to the client, so it must never contain secrets or credentials. */
export abstract class PaymentProblem extends Error {
  readonly code: Code
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail: string
  readonly extensions: Readonly<Record<string, unknown>>

  protected constructor(code: Code, detail: string, options?: Options) {
    super(detail, options)
    this.code = code
    this.type = `${baseUri}${code}`
    this.title = definitions[code].title
    this.status = definitions[code].status
    this.detail = detail
    this.extensions = { ...options?.extensions }
  }
}

/** No credential was sent; the resource needs payment. */
export class PaymentRequiredError extends PaymentProblem {
  override name = 'PaymentRequiredError'
  constructor(detail: string, options?: Options) {
    super('payment-required', detail, options)
  }
}

/** The credential is not base64url JSON of the expected shape. */
export class MalformedCredentialError extends PaymentProblem {
  override name = 'MalformedCredentialError'
  constructor(detail: string, options?: Options) {
    super('malformed-credential', detail, options)
  }
}

/**
 * An `evm`/`session` payload that is malformed or misses fields. Same type as MalformedCredentialError, but the
 * session spec's Error Responses table answers such payloads with 400 where the core spec says 402.
 */
export class MalformedSessionPayloadError extends MalformedCredentialError {
  override name = 'MalformedSessionPayloadError'
  override readonly status = 400
}

/** The echoed challenge is unknown, tampered with (binding mismatch), or already used. */
export class InvalidChallengeError extends PaymentProblem {
  override name = 'InvalidChallengeError'
  constructor(detail: string, options?: Options) {
    super('invalid-challenge', detail, options)
  }
}

/** The payment proof does not verify. */
export class VerificationFailedError extends PaymentProblem {
  override name = 'VerificationFailedError'
  constructor(detail: string, options?: Options) {
    super('verification-failed', detail, options)
  }
}

/** The challenge or the payment authorization has expired. */
export class PaymentExpiredError extends PaymentProblem {
  override name = 'PaymentExpiredError'
  constructor(detail: string, options?: Options) {
    super('payment-expired', detail, options)
  }
}

/** The payment is for less than the price. */
export class PaymentInsufficientError extends PaymentProblem {
  override name = 'PaymentInsufficientError'
  constructor(detail: string, options?: Options) {
    super('payment-insufficient', detail, options)
  }
}

/** The credential names a method/intent this server does not accept (400, not 402). */
export class MethodUnsupportedError extends PaymentProblem {
  override name = 'MethodUnsupportedError'
  constructor(detail: string, options?: Options) {
    super('method-unsupported', detail, options)
  }
}

// --- the session intent (`session/*`), draft-evm-session-00 Error Responses ------------------------

/** A voucher (or close) signature that cannot be verified: wrong length, high-s, bad v, no signer recovered. */
export class InvalidSignatureError extends PaymentProblem {
  override name = 'InvalidSignatureError'
  constructor(detail: string, options?: Options) {
    super('session/invalid-signature', detail, options)
  }
}

/** The voucher verifies, but for a signer that is not the channel's (authorizedSigner, else payer). */
export class SignerMismatchError extends PaymentProblem {
  override name = 'SignerMismatchError'
  constructor(detail: string, options?: Options) {
    super('session/signer-mismatch', detail, options)
  }
}

/** The voucher's cumulativeAmount is above the channel's deposit. */
export class AmountExceedsDepositError extends PaymentProblem {
  override name = 'AmountExceedsDepositError'
  constructor(detail: string, options?: Options) {
    super('session/amount-exceeds-deposit', detail, options)
  }
}

/** The voucher raises the accepted amount by less than the challenge's minVoucherDelta. */
export class DeltaTooSmallError extends PaymentProblem {
  override name = 'DeltaTooSmallError'
  constructor(detail: string, options?: Options) {
    super('session/delta-too-small', detail, options)
  }
}

/** No channel with this id (410). */
export class ChannelNotFoundError extends PaymentProblem {
  override name = 'ChannelNotFoundError'
  constructor(detail: string, options?: Options) {
    super('session/channel-not-found', detail, options)
  }
}

/** The channel is closed; its record stays, so it can never be used again (410). */
export class ChannelFinalizedError extends PaymentProblem {
  override name = 'ChannelFinalizedError'
  constructor(detail: string, options?: Options) {
    super('session/channel-finalized', detail, options)
  }
}

/** The session credential names a challenge the server does not know or that expired. */
export class ChallengeNotFoundError extends PaymentProblem {
  override name = 'ChallengeNotFoundError'
  constructor(detail: string, options?: Options) {
    super('session/challenge-not-found', detail, options)
  }
}

/** What the accepted vouchers cover (minus what was spent) does not pay for this request, or a token pull failed. */
export class InsufficientBalanceError extends PaymentProblem {
  override name = 'InsufficientBalanceError'
  constructor(detail: string, options?: Options) {
    super('session/insufficient-balance', detail, options)
  }
}

/** An on-chain open/topUp/settle/close the session relied on was mined but reverted (409). */
export class TransactionRevertedError extends PaymentProblem {
  override name = 'TransactionRevertedError'
  constructor(detail: string, options?: Options) {
    super('session/transaction-reverted', detail, options)
  }
}

const classes: Record<Code, new (detail: string, options?: Options) => PaymentProblem> = {
  'payment-required': PaymentRequiredError,
  'payment-insufficient': PaymentInsufficientError,
  'payment-expired': PaymentExpiredError,
  'verification-failed': VerificationFailedError,
  'method-unsupported': MethodUnsupportedError,
  'malformed-credential': MalformedCredentialError,
  'invalid-challenge': InvalidChallengeError,
  'session/invalid-signature': InvalidSignatureError,
  'session/signer-mismatch': SignerMismatchError,
  'session/amount-exceeds-deposit': AmountExceedsDepositError,
  'session/delta-too-small': DeltaTooSmallError,
  'session/channel-not-found': ChannelNotFoundError,
  'session/channel-finalized': ChannelFinalizedError,
  'session/challenge-not-found': ChallengeNotFoundError,
  'session/insufficient-balance': InsufficientBalanceError,
  'session/transaction-reverted': TransactionRevertedError,
}

/** Creates the typed error for a problem code. */
export function create(code: Code, detail: string, options?: Options): PaymentProblem {
  return new classes[code](detail, options)
}

export function is(value: unknown): value is PaymentProblem {
  return value instanceof PaymentProblem
}

/** The `application/problem+json` body: the problem's own extensions, then `extensions`; neither overrides the standard members. */
export function toJSON(problem: PaymentProblem, extensions: Record<string, unknown> = {}): Body {
  return {
    ...problem.extensions,
    ...extensions,
    type: problem.type,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
  }
}

/** Reads a problem body (e.g. from a 402 response) back into its typed error, or undefined for unknown types. */
export function fromJSON(body: unknown): PaymentProblem | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const { type, detail, channelId } = body as { type?: unknown; detail?: unknown; channelId?: unknown }
  if (typeof type !== 'string' || !type.startsWith(baseUri)) return undefined
  const code = type.slice(baseUri.length)
  if (!Object.hasOwn(definitions, code)) return undefined
  // A session problem names its channel; keep it so a client can tell which of its channels failed.
  const extensions = typeof channelId === 'string' ? { channelId } : undefined
  return create(code as Code, typeof detail === 'string' ? detail : definitions[code as Code].title, { extensions })
}

/** Whatever was thrown, as a PaymentProblem: typed problems pass through, anything else becomes `fallback`. */
export function from(error: unknown, fallback: (error: unknown) => PaymentProblem): PaymentProblem {
  return is(error) ? error : fallback(error)
}
