// Failures of sign-in and sessions, as application errors (lib/errors): one code per failed check.
import { AppError, type AppErrorCode } from '@/lib/errors/app-error'

export { TooManyRequestsError } from '@/lib/errors/app-error'

/** No session, an expired one, a revoked one or a forged cookie: the caller cannot tell which. */
export class UnauthenticatedError extends AppError {
  override name = 'UnauthenticatedError'
  constructor() {
    super('unauthenticated', 'sign in to continue')
  }
}

/** The checks of a sign-in message and its signature, each with its own code. */
export type SignInRefusal = Extract<
  AppErrorCode,
  | 'invalid_message'
  | 'wrong_domain'
  | 'wrong_uri'
  | 'wrong_chain'
  | 'message_expired'
  | 'message_not_yet_valid'
  | 'invalid_nonce'
  | 'invalid_signature'
  | 'merchant_not_allowed'
>

/** The sign-in message or its signature was refused; `code` says which check failed. */
export class SignInRefusedError extends AppError {
  override name = 'SignInRefusedError'
  constructor(code: SignInRefusal, message: string) {
    super(code, message)
  }
}

/** A state-changing request sent from another site's page (cross-site request forgery). */
export class ForbiddenOriginError extends AppError {
  override name = 'ForbiddenOriginError'
  constructor() {
    super('forbidden_origin', 'this request must come from the dashboard itself')
  }
}

/** The demo merchant sign-in exists only in demo mode; anywhere else the path is not there at all. */
export class DemoSignInUnavailableError extends AppError {
  override name = 'DemoSignInUnavailableError'
  constructor() {
    super('demo_unavailable', 'the demo merchant sign-in exists only in demo mode (TOLLGATE_DEMO=1 on the local chain)')
  }
}

/** Demo mode, but the local node did not sign (anvil stopped, or restarted without its accounts). */
export class DemoSignerFailedError extends AppError {
  override name = 'DemoSignerFailedError'
  constructor(cause: unknown) {
    super('demo_signer_failed', 'the local chain did not sign the message; is the demo (anvil) still running?', { cause })
  }
}
