// Failures of the dashboard's payments (refunds), as application errors (lib/errors).
import { AppError, NotFoundError } from '@/lib/errors/app-error'

/** Also what another merchant's payment ids give: "not yours" and "does not exist" look the same. */
export class PaymentNotFoundError extends NotFoundError {
  override name = 'PaymentNotFoundError'
  constructor() {
    super('payment')
  }
}

export class NotRefundableError extends AppError {
  override name = 'NotRefundableError'
  constructor(reason: string) {
    super('not_refundable', reason)
  }
}

export class RefundsUnavailableError extends AppError {
  override name = 'RefundsUnavailableError'
  constructor() {
    super('refunds_unavailable', 'card refunds need Stripe to be configured on this server')
  }
}

export class RefundFailedError extends AppError {
  override name = 'RefundFailedError'
  constructor(cause: unknown) {
    super('refund_failed', 'Stripe could not refund this payment; try again in a moment', { cause })
  }
}
