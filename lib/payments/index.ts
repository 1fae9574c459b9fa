// `import * as Payments from '@/lib/payments'`: the dashboard's view of payments.
export * from './errors'
export * from './filters'
export * from './list-payments'
export * from './get-payment'
export * from './refund-payment'
export * from './csv'
export * from './overview'
