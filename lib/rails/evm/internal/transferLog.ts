// Finds the ERC-20 Transfer a settlement must have produced, in a transaction receipt.
import { type Address, type Log, getAddress, isAddressEqual, parseEventLogs } from 'viem'
import { tokenAbi } from './tokenAbi'

export type Transfer = { token: Address; from: Address; to: Address; value: bigint }

/** Every Transfer event in `logs`, with the token that emitted it. */
export function transfersIn(logs: readonly Log[]): Transfer[] {
  return parseEventLogs({ abi: tokenAbi, eventName: 'Transfer', logs: [...logs], strict: true }).map((log) => ({
    token: getAddress(log.address),
    from: log.args.from,
    to: log.args.to,
    value: log.args.value,
  }))
}

/** True when `logs` hold a Transfer of exactly `expected.value` of `expected.token` to `expected.to` (and from `expected.from`, when given). */
export function hasTransfer(logs: readonly Log[], expected: { token: Address; to: Address; value: bigint; from?: Address }): boolean {
  return transfersIn(logs).some(
    (transfer) =>
      isAddressEqual(transfer.token, expected.token) &&
      isAddressEqual(transfer.to, expected.to) &&
      transfer.value === expected.value &&
      (expected.from === undefined || isAddressEqual(transfer.from, expected.from)),
  )
}
