// The EVM rail: `import * as EvmRail from '@/lib/rails/evm'`, then
// `EvmRail.createEvmRail(EvmRail.loadEvmConfig(), db)`.
export * from './Config'
export * from './Errors'
export * from './Rail'
export type { ReconcileResult } from './internal/reconcile'
