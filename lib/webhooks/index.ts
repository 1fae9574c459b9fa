// `import * as Webhooks from '@/lib/webhooks'`: signed merchant webhooks with durable retries.
export * from './errors'
export * as Signature from './signature'
export * from './events'
export * from './backoff'
export * from './settings'
export * from './enqueue-payment-event'
export * from './deliveries'
export * from './worker'
