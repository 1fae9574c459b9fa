// Finishes settlements a crash (or a lost RPC connection) left `claimed` or `submitted`, from what
// the chain says: mined with the transfer -> settled; reverted or never mined -> failed.
import { type Address, type Hex, TransactionNotFoundError, TransactionReceiptNotFoundError } from 'viem'
import type { TransactionReceipt } from 'viem'
import * as Settlements from '@/lib/store/settlements'
import { isConfirmed } from './chainHead'
import type { RailContext } from './context'
import { rail } from './context'
import * as ReplayKey from './replayKey'
import { read } from './rpc'
import { tokenAbi } from './tokenAbi'
import { hasTransfer } from './transferLog'

export type ReconcileResult = {
  /** Replay keys now `settled`. */
  settled: string[]
  /** Replay keys now `failed` (nothing moved; the same credential may be retried). */
  failed: string[]
  /** Replay keys still waiting for the chain (transaction in the mempool or too few confirmations). */
  pending: string[]
}

type Outcome = { status: 'settled'; txHash: Hex } | { status: 'failed'; reason: string } | { status: 'pending' }

type Details = {
  kind?: 'authorization' | 'transaction' | 'hash'
  token?: Address
  from?: Address
  to?: Address
  value?: string
  nonce?: Hex
  txHash?: Hex
  fromBlock?: string
  /** Unix seconds until which a request holds this claim while its delivery runs (settle after success). */
  heldUntil?: string
}

/** Clock difference between instances tolerated before a held claim is judged. */
const heldClockSkewSeconds = 30n

/** Reconciles this chain's unfinished `evm` records last touched more than `olderThanMs` ago. */
export async function reconcile(context: RailContext, options: { olderThanMs: number }): Promise<ReconcileResult> {
  const result: ReconcileResult = { settled: [], failed: [], pending: [] }
  const cutoff = Date.now() - options.olderThanMs
  const records = [
    ...(await Settlements.listByStatus(context.db, 'submitted')),
    ...(await Settlements.listByStatus(context.db, 'claimed')),
  ].filter(
    (record) =>
      record.rail === rail &&
      ReplayKey.isOnChain(record.replayKey, context.config.chainId) &&
      record.updatedAt.getTime() <= cutoff &&
      !isHeld(record, context.now()),
  )
  for (const record of records) {
    const outcome = await outcomeOf(context, record)
    if (outcome.status === 'settled') {
      await Settlements.markSettled(context.db, record.replayKey, outcome.txHash)
      result.settled.push(record.replayKey)
    } else if (outcome.status === 'failed') {
      await Settlements.markFailed(context.db, record.replayKey, outcome.reason)
      result.failed.push(record.replayKey)
    } else result.pending.push(record.replayKey)
  }
  return result
}

/**
 * A claim a request still holds while its delivery runs (settle after success): nothing was sent, and the
 * request will submit or release it. Once the authorization lapsed it can never move money, so it is judged.
 */
function isHeld(record: Settlements.Settlement, now: bigint): boolean {
  const heldUntil = (record.details as Details).heldUntil
  if (record.status !== 'claimed' || typeof heldUntil !== 'string' || !/^\d{1,20}$/.test(heldUntil)) return false
  return BigInt(heldUntil) + heldClockSkewSeconds > now
}

async function outcomeOf(context: RailContext, record: Settlements.Settlement): Promise<Outcome> {
  const details = record.details as Details
  if (!details.token || !details.to || !details.value) return { status: 'failed', reason: 'record lacks the transfer it expected' }
  const expected = { token: details.token, to: details.to, value: BigInt(details.value), from: details.from }

  if (details.kind === 'hash') {
    // Verified on chain before it was claimed; only the final write was lost.
    const txHash = record.replayKey.slice(record.replayKey.indexOf(':') + 1) as Hex
    return { status: 'settled', txHash }
  }

  const txHash = (record.txHash ?? details.txHash) as Hex | undefined
  if (txHash) {
    const receipt = await receiptOf(context, txHash)
    if (receipt) {
      if (!(await isConfirmed(context, receipt))) return { status: 'pending' }
      if (receipt.status === 'success' && hasTransfer(receipt.logs, expected)) return { status: 'settled', txHash }
      if (details.kind === 'transaction') return { status: 'failed', reason: `reverted or transferred nothing in ${txHash}` }
    } else if (await isInMempool(context, txHash)) return { status: 'pending' }
    else if (details.kind === 'transaction') return { status: 'failed', reason: `transaction ${txHash} was never mined` }
  }
  if (details.kind !== 'authorization' || !details.from || !details.nonce)
    return { status: 'failed', reason: 'interrupted before broadcast' }
  return authorizationOutcome(context, { ...expected, from: details.from }, details.nonce, BigInt(details.fromBlock ?? '0'))
}

/** Our transaction did not pay: the authorization is either unused (retryable) or used by another transaction. */
async function authorizationOutcome(
  context: RailContext,
  expected: { token: Address; from: Address; to: Address; value: bigint },
  nonce: Hex,
  fromBlock: bigint,
): Promise<Outcome> {
  const { publicClient } = context
  const used = await read('reading the authorization state', () =>
    publicClient.readContract({ address: expected.token, abi: tokenAbi, functionName: 'authorizationState', args: [expected.from, nonce] }),
  )
  if (!used) return { status: 'failed', reason: 'the authorization was never used on chain' }
  // Anyone may submit an EIP-3009 authorization; find the transaction that consumed it.
  const logs = await read('searching authorization logs', () =>
    publicClient.getContractEvents({
      address: expected.token,
      abi: tokenAbi,
      eventName: 'AuthorizationUsed',
      args: { authorizer: expected.from, nonce },
      fromBlock,
      toBlock: 'latest',
    }),
  )
  for (const log of logs) {
    const receipt = log.transactionHash ? await receiptOf(context, log.transactionHash) : undefined
    if (receipt?.status === 'success' && hasTransfer(receipt.logs, expected)) {
      if (!(await isConfirmed(context, receipt))) return { status: 'pending' }
      return { status: 'settled', txHash: receipt.transactionHash }
    }
  }
  return { status: 'failed', reason: 'the authorization was canceled or used without paying the recipient' }
}

async function receiptOf(context: RailContext, hash: Hex): Promise<TransactionReceipt | undefined> {
  return read('reading a receipt', async () => {
    try {
      return await context.publicClient.getTransactionReceipt({ hash })
    } catch (error) {
      if (error instanceof TransactionReceiptNotFoundError) return undefined
      throw error
    }
  })
}

async function isInMempool(context: RailContext, hash: Hex): Promise<boolean> {
  return read('reading a transaction', async () => {
    try {
      await context.publicClient.getTransaction({ hash })
      return true
    } catch (error) {
      if (error instanceof TransactionNotFoundError) return false
      throw error
    }
  })
}
