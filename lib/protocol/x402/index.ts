// x402 v2 wire codecs, one namespace per concept: `import { PaymentSignature } from '@/lib/protocol/x402'`.
export * as x402Headers from './Headers'
export * as PaymentRequired from './PaymentRequired'
export * as PaymentRequirements from './PaymentRequirements'
export * as PaymentResponse from './PaymentResponse'
export * as PaymentSignature from './PaymentSignature'
