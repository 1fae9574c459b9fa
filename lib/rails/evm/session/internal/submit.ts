// The server's own escrow transactions (relayed opens and top-ups, settles, closes), through the durable
// record: claimed -> simulated -> signed and recorded (submitted, with its hash) -> broadcast by the
// charge rail's settler (one turn and one nonce sequence per key, shared with charge settlements) ->
// receipt checked: status 0x1 applies its effect and settles the record; 0x0 is a typed failure at once.
import {
  type Hex,
  type TransactionReceipt,
  TransactionReceiptNotFoundError,
  WaitForTransactionReceiptTimeoutError,
  encodeFunctionData,
  isHash,
} from 'viem'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import { type PaymentProblem, TransactionRevertedError } from '@/lib/protocol/Problem'
import * as SessionTransactions from '@/lib/store/session-transactions'
import { RailUnavailableError } from '../../Errors'
import { isConfirmed } from '../../internal/chainHead'
import { feesOn } from '../../internal/fees'
import { isTransportFailure, read, unavailable } from '../../internal/rpc'
import { MaybeBroadcastError, NotBroadcastError } from '../../internal/Settler'
import type { SessionContext } from './context'
import { revertOf } from './escrow'

export type EscrowFunction = 'openWithAuthorization' | 'topUpWithAuthorization' | 'settle' | 'close'

export type EscrowCall = { functionName: EscrowFunction; args: readonly unknown[] }

export type SubmitInput = {
  channelId: Hex
  kind: SessionTransactions.SessionTransactionKind
  /** Relayed opens and top-ups: the authorization's key (one submission per authorization). */
  replayKey?: string
  amount: bigint
  reason: string
  call: EscrowCall
  /** Names what is submitted in messages ("the close of channel 0x…"). */
  what: string
  /** A more precise problem than the escrow's error for a call that would revert (e.g. the payer's token balance). */
  diagnose?: (revert: { errorName?: string; reason?: string }) => Promise<PaymentProblem | undefined>
}

export type SubmitOutcome =
  | { status: 'mined'; txHash: Hex; receipt: TransactionReceipt; transactionId: string }
  /** Another request (or a crash) holds this submission: `existing` says which and in what state. */
  | { status: 'busy'; existing: SessionTransactions.SessionTransaction | null }

/**
 * Submits `input.call` to the escrow from the settler and waits for its receipt. `onMined` records the effect
 * (before the record is marked settled, so a crash in between leaves it for reconcile()). Throws a session
 * problem when the call would revert or reverted (nothing moved), RailUnavailableError (503) when the chain
 * cannot be reached or the receipt takes longer than the receipt timeout (the record stays submitted).
 */
export async function submitEscrowCall(
  context: SessionContext,
  input: SubmitInput,
  onMined: (receipt: TransactionReceipt) => Promise<void>,
): Promise<SubmitOutcome> {
  const { db } = context
  const claimed = await SessionTransactions.claim(db, {
    channelId: input.channelId,
    kind: input.kind,
    replayKey: input.replayKey,
    amount: input.amount,
    reason: input.reason,
  })
  let id: string
  if (claimed.claimed) id = claimed.transaction.id
  else if (input.replayKey && claimed.existing?.status === 'failed' && (await SessionTransactions.reclaimFailed(db, claimed.existing.id)))
    id = claimed.existing.id
  else return { status: 'busy', existing: claimed.existing }

  const { publicClient, settler } = context.rail
  const request = {
    address: context.escrow,
    abi: EvmSession.escrowAbi,
    functionName: input.call.functionName,
    args: input.call.args,
  } as const
  const data = encodeFunctionData(request as never)
  let gas: bigint
  let fees
  try {
    const [estimate, block, tip] = await Promise.all([
      publicClient.estimateContractGas({ ...request, account: settler.address } as never),
      publicClient.getBlock({ blockTag: 'latest' }),
      context.rail.fees.tip(context.rail.polling.intervalMs()),
    ])
    gas = estimate
    fees = feesOn(block, tip)
  } catch (error) {
    if (isTransportFailure(error)) {
      await SessionTransactions.markFailed(db, id, 'not submitted: the chain was unavailable')
      throw unavailable(`preparing ${input.what}`, error)
    }
    const revert = revertOf(error)
    const why = revert.errorName ?? revert.reason ?? 'no reason given'
    await SessionTransactions.markFailed(db, id, `not submitted: it would revert (${why})`)
    throw (
      (await input.diagnose?.(revert)) ??
      EvmSession.Revert.problemFor(revert.errorName, {
        channelId: input.channelId,
        detail: `${input.what} would revert on the escrow (${why}); nothing was submitted`,
      })
    )
  }

  let submitted
  try {
    submitted = await settler.submit({ to: context.escrow, data, gas, fees }, (txHash) => SessionTransactions.markSubmitted(db, id, txHash))
  } catch (error) {
    throw await sendFailure(context, id, input.what, input.channelId, error)
  }
  const receipt = await minedReceipt(context, submitted.txHash, submitted.receipt, input.what)
  if (receipt.status !== 'success') {
    await SessionTransactions.markFailed(db, id, `reverted on chain in ${submitted.txHash}`)
    // The revert changed nothing, so simulating again says why (unless the state moved meanwhile).
    const again = await publicClient.estimateContractGas({ ...request, account: settler.address } as never).then(
      () => undefined,
      (error: unknown) => (isTransportFailure(error) ? undefined : revertOf(error)),
    )
    throw EvmSession.Revert.problemFor(again?.errorName, {
      channelId: input.channelId,
      detail: `${input.what} reverted on chain in transaction ${submitted.txHash}${again?.errorName ? ` (${again.errorName})` : ''}; nothing moved`,
    })
  }
  await onMined(receipt)
  await SessionTransactions.markSettled(db, id, submitted.txHash)
  return { status: 'mined', txHash: submitted.txHash, receipt, transactionId: id }
}

/** What a failed send means: possibly broadcast stays `submitted` (reconcile decides); anything else never left us. */
async function sendFailure(context: SessionContext, id: string, what: string, channelId: Hex, error: unknown): Promise<Error> {
  if (error instanceof MaybeBroadcastError) return unavailable(`broadcasting ${what}`, error)
  const transport = isTransportFailure(error)
  if (!(error instanceof NotBroadcastError) && !transport) return error instanceof Error ? error : new Error(String(error))
  const reason = error instanceof NotBroadcastError ? error.reason : 'the chain is unavailable'
  await SessionTransactions.markFailed(context.db, id, `not broadcast: ${reason}`)
  if (transport) return unavailable(`submitting ${what}`, error)
  if (error instanceof NotBroadcastError && error.settlerFault)
    return new RailUnavailableError(`session transactions are unavailable: ${reason}`, { cause: error })
  return new TransactionRevertedError(`${what} could not be submitted: ${reason}`, { cause: error, extensions: { channelId } })
}

/** The receipt of our transaction with the configured confirmations; a timeout leaves it to reconcile() (503). */
export async function minedReceipt(
  context: SessionContext,
  txHash: Hex,
  sent: Promise<TransactionReceipt | undefined> | undefined,
  what: string,
): Promise<TransactionReceipt> {
  const { publicClient, config, settler } = context.rail
  let receipt = await sent
  // Only a receipt for this very transaction counts.
  if (receipt && !(isHash(receipt.transactionHash) && receipt.transactionHash.toLowerCase() === txHash.toLowerCase())) receipt = undefined
  try {
    if (!receipt || !(await isConfirmed(context.rail, receipt)))
      receipt = await publicClient.waitForTransactionReceipt({
        hash: txHash,
        confirmations: config.confirmations,
        timeout: config.receiptTimeoutMs,
        pollingInterval: await context.rail.polling.ready(),
      })
  } catch (error) {
    if (error instanceof WaitForTransactionReceiptTimeoutError) settler.forgetNonce()
    if (error instanceof WaitForTransactionReceiptTimeoutError || isTransportFailure(error))
      throw new RailUnavailableError(
        `${what} was broadcast in transaction ${txHash} but is not confirmed yet; it is finished when it confirms`,
        {
          cause: error,
        },
      )
    throw error
  }
  return receipt
}

/** A receipt if the transaction is mined, undefined if not (yet). */
export async function receiptOf(context: SessionContext, txHash: Hex): Promise<TransactionReceipt | undefined> {
  return read('reading a receipt', async () => {
    try {
      return await context.rail.publicClient.getTransactionReceipt({ hash: txHash })
    } catch (error) {
      if (error instanceof TransactionReceiptNotFoundError) return undefined
      throw error
    }
  })
}
