// The one application error: a stable machine code, its HTTP status from one map, and a message safe
// to show the caller. Domains (links, auth, payments, webhooks) name their failures as subclasses; a
// route boundary turns any of them into a response with `status` and `toJSON()`. Payment problems on
// the wire are lib/protocol/Problem (RFC 9457 with the MPP types), not these.

/** Every code the application answers with, and its HTTP status. */
export const statusOf = {
  invalid_input: 400,
  invalid_message: 400,
  invalid_url: 400,
  unauthenticated: 401,
  wrong_domain: 401,
  wrong_uri: 401,
  wrong_chain: 401,
  message_expired: 401,
  message_not_yet_valid: 401,
  invalid_nonce: 401,
  invalid_signature: 401,
  merchant_not_allowed: 403,
  forbidden_origin: 403,
  not_found: 404,
  demo_unavailable: 404,
  slug_taken: 409,
  tool_name_taken: 409,
  link_has_payments: 409,
  not_refundable: 409,
  channel_busy: 409,
  channel_closed: 409,
  no_endpoint: 409,
  file_too_large: 413,
  too_many_requests: 429,
  demo_signer_failed: 502,
  refund_failed: 502,
  channel_action_failed: 502,
  refunds_unavailable: 503,
  sessions_unavailable: 503,
} as const

export type AppErrorCode = keyof typeof statusOf

export class AppError extends Error {
  override name = 'AppError'
  readonly code: AppErrorCode
  readonly status: number

  constructor(code: AppErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.code = code
    this.status = statusOf[code]
  }

  /** The body a route can send as-is: nothing internal, nothing the caller did not send. */
  toJSON(): { code: AppErrorCode; message: string; [extension: string]: unknown } {
    return { code: this.code, message: this.message }
  }
}

export type InputIssue = { path: string; message: string }

/** Input that failed validation; `issues` says which field and why. */
export class InvalidInputError extends AppError {
  override name = 'InvalidInputError'
  readonly issues: InputIssue[]
  constructor(issues: InputIssue[]) {
    const first = issues[0]
    super('invalid_input', first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'invalid input')
    this.issues = issues
  }

  static fromZod(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> }): InvalidInputError {
    return new InvalidInputError(error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })))
  }

  override toJSON(): { code: AppErrorCode; message: string; issues: InputIssue[] } {
    return { ...super.toJSON(), issues: this.issues }
  }
}

/** Also what another merchant's ids give: the caller cannot tell "not yours" from "does not exist". */
export class NotFoundError extends AppError {
  override name = 'NotFoundError'
  readonly resource: 'link' | 'file' | 'merchant' | 'payment' | 'delivery' | 'channel'
  constructor(resource: NotFoundError['resource']) {
    super('not_found', `${resource} not found`)
    this.resource = resource
  }
}

export class FileTooLargeError extends AppError {
  override name = 'FileTooLargeError'
  constructor(maxBytes: number) {
    super('file_too_large', `files can be at most ${Math.floor(maxBytes / (1024 * 1024))} MB`)
  }
}

export class TooManyRequestsError extends AppError {
  override name = 'TooManyRequestsError'
  readonly retryAfterSeconds: number
  constructor(message: string, retryAfterSeconds: number) {
    super('too_many_requests', message)
    this.retryAfterSeconds = retryAfterSeconds
  }
}
