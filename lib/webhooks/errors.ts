// The merchant-webhook error family: status + stable code, mapped to HTTP in one place.

export type WebhookErrorCode = 'invalid_url' | 'not_found' | 'no_endpoint'

export class WebhookError extends Error {
  override name = 'WebhookError'
  readonly status: number
  readonly code: WebhookErrorCode
  constructor(message: string, options: { status: number; code: WebhookErrorCode }) {
    super(message)
    this.status = options.status
    this.code = options.code
  }

  toJSON(): { code: WebhookErrorCode; message: string } {
    return { code: this.code, message: this.message }
  }
}

export class InvalidWebhookUrlError extends WebhookError {
  override name = 'InvalidWebhookUrlError'
  constructor(message: string) {
    super(message, { status: 400, code: 'invalid_url' })
  }
}

/** Also what another merchant's delivery ids give. */
export class DeliveryNotFoundError extends WebhookError {
  override name = 'DeliveryNotFoundError'
  constructor() {
    super('delivery not found', { status: 404, code: 'not_found' })
  }
}

export class NoEndpointError extends WebhookError {
  override name = 'NoEndpointError'
  constructor() {
    super('set a webhook endpoint URL first', { status: 409, code: 'no_endpoint' })
  }
}
