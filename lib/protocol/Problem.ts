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
} as const satisfies Record<string, { title: string; status: number }>

export type Code = keyof typeof definitions

/** The JSON body of a problem response. Extension members (e.g. `challengeId`) sit beside the standard ones. */
export type Body = { type: string; title: string; status: number; detail: string; [extension: string]: unknown }

export type Options = { cause?: unknown }

/** Base class of every payment failure. `detail` is shown to the client, so it must never contain secrets or credentials. */
export abstract class PaymentProblem extends Error {
  readonly code: Code
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail: string

  protected constructor(code: Code, detail: string, options?: Options) {
    super(detail, options)
    this.code = code
    this.type = `${baseUri}${code}`
    this.title = definitions[code].title
    this.status = definitions[code].status
    this.detail = detail
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

const classes: Record<Code, new (detail: string, options?: Options) => PaymentProblem> = {
  'payment-required': PaymentRequiredError,
  'payment-insufficient': PaymentInsufficientError,
  'payment-expired': PaymentExpiredError,
  'verification-failed': VerificationFailedError,
  'method-unsupported': MethodUnsupportedError,
  'malformed-credential': MalformedCredentialError,
  'invalid-challenge': InvalidChallengeError,
}

/** Creates the typed error for a problem code. */
export function create(code: Code, detail: string, options?: Options): PaymentProblem {
  return new classes[code](detail, options)
}

export function is(value: unknown): value is PaymentProblem {
  return value instanceof PaymentProblem
}

/** The `application/problem+json` body. Extensions cannot override the standard members. */
export function toJSON(problem: PaymentProblem, extensions: Record<string, unknown> = {}): Body {
  return { ...extensions, type: problem.type, title: problem.title, status: problem.status, detail: problem.detail }
}

/** Reads a problem body (e.g. from a 402 response) back into its typed error, or undefined for unknown types. */
export function fromJSON(body: unknown): PaymentProblem | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const { type, detail } = body as { type?: unknown; detail?: unknown }
  if (typeof type !== 'string' || !type.startsWith(baseUri)) return undefined
  const code = type.slice(baseUri.length)
  if (!Object.hasOwn(definitions, code)) return undefined
  return create(code as Code, typeof detail === 'string' ? detail : definitions[code as Code].title)
}

/** Whatever was thrown, as a PaymentProblem: typed problems pass through, anything else becomes `fallback`. */
export function from(error: unknown, fallback: (error: unknown) => PaymentProblem): PaymentProblem {
  return is(error) ? error : fallback(error)
}
