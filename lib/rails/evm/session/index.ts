// The evm/session rail: `import * as SessionRail from '@/lib/rails/evm/session'`, then
// `SessionRail.createSessionRail({ evmRail, db })` beside the charge rail of the same process.
export * from './Config'
export * from './Rail'
