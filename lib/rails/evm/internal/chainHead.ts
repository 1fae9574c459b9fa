// How deep a mined transaction is, judged against the chain's head read after its receipt was seen.
// viem's getBlockNumber answers from a per-client cache (as old as the polling interval) and shares
// in-flight reads, so a receipt mined a moment ago could look newer than "latest" and stay pending.
import { type TransactionReceipt, hexToBigInt } from 'viem'
import type { RailContext } from './context'
import { read } from './rpc'

/** The node's latest block number, asked now (no cache, no shared in-flight request). */
export async function latestBlockNumber(context: RailContext): Promise<bigint> {
  return hexToBigInt(await read('reading the block number', () => context.publicClient.request({ method: 'eth_blockNumber' })))
}

/** Blocks burying `receipt` (1 = in the latest block). A receipt is in a block, so a lagging head still counts one. */
export function confirmationsOf(receipt: Pick<TransactionReceipt, 'blockNumber'>, latest: bigint): bigint {
  return latest >= receipt.blockNumber ? latest - receipt.blockNumber + 1n : 1n
}

/** True once `receipt` has the configured confirmations; the head is only read when more than one is needed. */
export async function isConfirmed(context: RailContext, receipt: Pick<TransactionReceipt, 'blockNumber'>): Promise<boolean> {
  const required = BigInt(context.config.confirmations)
  if (required <= 1n) return true
  return confirmationsOf(receipt, await latestBlockNumber(context)) >= required
}
