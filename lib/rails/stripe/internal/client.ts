import Stripe from 'stripe'
import type { StripeConfig } from '../Config'

/** The SDK on the configured host; retries are safe because every POST we make carries an idempotency key. */
export function createStripeClient(config: StripeConfig): Stripe {
  return new Stripe(config.secretKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    appInfo: { name: 'Tollgate' },
    ...(config.api ? { host: config.api.host, port: config.api.port, protocol: config.api.protocol } : {}),
  })
}
