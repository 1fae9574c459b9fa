// The sign-in and session error family. Each carries an HTTP status and a stable code, so one
// function at the route boundary turns any of them into a response.

export type AuthErrorCode =
  | 'unauthenticated'
  | 'invalid_message'
  | 'wrong_domain'
  | 'wrong_uri'
  | 'wrong_chain'
  | 'message_expired'
  | 'message_not_yet_valid'
  | 'invalid_nonce'
  | 'invalid_signature'
  | 'merchant_not_allowed'
  | 'too_many_requests'
  | 'forbidden_origin'
  | 'demo_unavailable'
  | 'demo_signer_failed'

export class AuthError extends Error {
  override name = 'AuthError'
  readonly status: number
  readonly code: AuthErrorCode
  constructor(message: string, options: { status: number; code: AuthErrorCode; cause?: unknown }) {
    super(message, { cause: options.cause })
    this.status = options.status
    this.code = options.code
  }

  toJSON(): { code: AuthErrorCode; message: string } {
    return { code: this.code, message: this.message }
  }
}

/** No session, an expired one, a revoked one or a forged cookie: the caller cannot tell which. */
export class UnauthenticatedError extends AuthError {
  override name = 'UnauthenticatedError'
  constructor() {
    super('sign in to continue', { status: 401, code: 'unauthenticated' })
  }
}

/** The sign-in message or its signature was refused; `code` says which check failed. */
export class SignInRefusedError extends AuthError {
  override name = 'SignInRefusedError'
  constructor(
    code: Exclude<AuthErrorCode, 'unauthenticated' | 'too_many_requests' | 'forbidden_origin' | 'demo_unavailable' | 'demo_signer_failed'>,
    message: string,
  ) {
    super(message, { status: code === 'merchant_not_allowed' ? 403 : code === 'invalid_message' ? 400 : 401, code })
  }
}

export class TooManyRequestsError extends AuthError {
  override name = 'TooManyRequestsError'
  readonly retryAfterSeconds: number
  constructor(retryAfterSeconds: number) {
    super(`too many sign-in attempts; retry in ${retryAfterSeconds} seconds`, { status: 429, code: 'too_many_requests' })
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/** A state-changing request sent from another site's page (cross-site request forgery). */
export class ForbiddenOriginError extends AuthError {
  override name = 'ForbiddenOriginError'
  constructor() {
    super('this request must come from the dashboard itself', { status: 403, code: 'forbidden_origin' })
  }
}

/** The demo merchant sign-in exists only in demo mode; anywhere else the path is not there at all. */
export class DemoSignInUnavailableError extends AuthError {
  override name = 'DemoSignInUnavailableError'
  constructor() {
    super('the demo merchant sign-in exists only in demo mode (TOLLGATE_DEMO=1 on the local chain)', {
      status: 404,
      code: 'demo_unavailable',
    })
  }
}

/** Demo mode, but the local node did not sign (anvil stopped, or restarted without its accounts). */
export class DemoSignerFailedError extends AuthError {
  override name = 'DemoSignerFailedError'
  constructor(cause: unknown) {
    super('the local chain did not sign the message; is the demo (anvil) still running?', {
      status: 502,
      code: 'demo_signer_failed',
      cause,
    })
  }
}
