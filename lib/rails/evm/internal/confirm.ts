// After a broadcast: wait for the receipt, check the transfer really happened, record the outcome.
import type { Address, Hex, TransactionReceipt } from 'viem'
import { WaitForTransactionReceiptTimeoutError, isHash } from 'viem'
import { VerificationFailedError } from '@/lib/protocol/Problem'
import * as Settlements from '@/lib/store/settlements'
import { RailUnavailableError } from '../Errors'
import { isConfirmed } from './chainHead'
import type { RailContext } from './context'
import { isTransportFailure } from './rpc'
import { hasTransfer } from './transferLog'

export type ExpectedTransfer = { token: Address; from?: Address; to: Address; value: bigint }

/**
 * Resolves once `txHash` is confirmed with the expected Transfer and the record says `settled`.
 * A revert or a missing transfer is final: the record becomes `failed` and the payer gets 402.
 * A timeout or an unreachable node leaves the record `submitted` for reconcile() and answers 503.
 * `receipt` is the one the node sent with the broadcast, if any; otherwise the node is polled.
 */
export async function confirmSettlement(
  context: RailContext,
  input: { replayKey: string; txHash: Hex; expected: ExpectedTransfer; what: string; receipt?: Promise<TransactionReceipt | undefined> },
): Promise<void> {
  const { replayKey, txHash, expected, what } = input
  let receipt = await input.receipt
  // Only a receipt for this very transaction counts (a node's answer is chain data like any other).
  if (receipt && !(isHash(receipt.transactionHash) && receipt.transactionHash.toLowerCase() === txHash.toLowerCase())) receipt = undefined
  try {
    if (!receipt || !(await isConfirmed(context, receipt)))
      receipt = await context.publicClient.waitForTransactionReceipt({
        hash: txHash,
        confirmations: context.config.confirmations,
        timeout: context.config.receiptTimeoutMs,
        pollingInterval: await context.polling.ready(),
      })
  } catch (error) {
    // Our transaction may have left the node's pool: the next send asks the node for the nonce.
    if (error instanceof WaitForTransactionReceiptTimeoutError) context.settler.forgetNonce()
    if (error instanceof WaitForTransactionReceiptTimeoutError || isTransportFailure(error))
      throw new RailUnavailableError(
        `${what} was broadcast in transaction ${txHash} but is not confirmed yet; it will be settled when it confirms`,
        { cause: error },
      )
    throw error
  }
  if (receipt.status !== 'success') {
    await Settlements.markFailed(context.db, replayKey, `reverted on chain in ${txHash}`)
    throw new VerificationFailedError(`${what} reverted on chain in transaction ${txHash}; no funds moved`)
  }
  if (!hasTransfer(receipt.logs, expected)) {
    await Settlements.markFailed(context.db, replayKey, `no matching Transfer event in ${txHash}`)
    throw new VerificationFailedError(`transaction ${txHash} did not transfer ${expected.value} of ${expected.token} to ${expected.to}`)
  }
  await Settlements.markSettled(context.db, replayKey, txHash)
}
