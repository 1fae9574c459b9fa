// The payments error family of the dashboard: status + stable code, mapped to HTTP in one place.

export type PaymentErrorCode = 'not_found' | 'not_refundable' | 'refunds_unavailable' | 'refund_failed'

export class PaymentError extends Error {
  override name = 'PaymentError'
  readonly status: number
  readonly code: PaymentErrorCode
  constructor(message: string, options: { status: number; code: PaymentErrorCode; cause?: unknown }) {
    super(message, { cause: options.cause })
    this.status = options.status
    this.code = options.code
  }

  toJSON(): { code: PaymentErrorCode; message: string } {
    return { code: this.code, message: this.message }
  }
}

/** Also what another merchant's payment ids give: "not yours" and "does not exist" look the same. */
export class PaymentNotFoundError extends PaymentError {
  override name = 'PaymentNotFoundError'
  constructor() {
    super('payment not found', { status: 404, code: 'not_found' })
  }
}

export class NotRefundableError extends PaymentError {
  override name = 'NotRefundableError'
  constructor(reason: string) {
    super(reason, { status: 409, code: 'not_refundable' })
  }
}

export class RefundsUnavailableError extends PaymentError {
  override name = 'RefundsUnavailableError'
  constructor() {
    super('card refunds need Stripe to be configured on this server', { status: 503, code: 'refunds_unavailable' })
  }
}

export class RefundFailedError extends PaymentError {
  override name = 'RefundFailedError'
  constructor(cause: unknown) {
    super('Stripe could not refund this payment; try again in a moment', { status: 502, code: 'refund_failed', cause })
  }
}
