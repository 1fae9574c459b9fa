// Failures of merchant webhook settings and deliveries, as application errors (lib/errors).
import { AppError, NotFoundError } from '@/lib/errors/app-error'

export class InvalidWebhookUrlError extends AppError {
  override name = 'InvalidWebhookUrlError'
  constructor(message: string) {
    super('invalid_url', message)
  }
}

/** Also what another merchant's delivery ids give. */
export class DeliveryNotFoundError extends NotFoundError {
  override name = 'DeliveryNotFoundError'
  constructor() {
    super('delivery')
  }
}

export class NoEndpointError extends AppError {
  override name = 'NoEndpointError'
  constructor() {
    super('no_endpoint', 'set a webhook endpoint URL first')
  }
}
