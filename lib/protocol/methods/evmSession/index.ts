// MPP payment method `evm`, intent `session` (mpp-specs draft-evm-session-00): payment channels on an
// escrow contract, paid per unit with cumulative EIP-712 vouchers. Pure wire code, no I/O.
export const method = 'evm'
export const intent = 'session'

export * as Channel from './Channel'
export { escrowAbi, minCloseGracePeriodSeconds } from './EscrowAbi'
export * as Events from './Events'
export * as Payload from './Payload'
export * as Receipt from './Receipt'
export * as Request from './Request'
export * as Revert from './Revert'
export * as Voucher from './Voucher'
