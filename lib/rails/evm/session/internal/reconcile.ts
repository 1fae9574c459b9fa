// Finishes session transactions a crash (or a lost answer) left claimed or submitted, from what the chain
// says: mined with status 0x1 -> its effect recorded and settled; reverted or never mined -> failed
// (a settle is simply tried again by the settlement job; the escrow refuses to pay any voucher twice).
import type { Hex } from 'viem'
import { TransactionNotFoundError } from 'viem'
import * as SessionChannels from '@/lib/store/session-channels'
import * as SessionTransactions from '@/lib/store/session-transactions'
import { isConfirmed } from '../../internal/chainHead'
import { read } from '../../internal/rpc'
import type { SessionContext } from './context'
import { receiptOf } from './submit'
import { refreshFromChain } from './refresh'

export type SessionReconcileResult = {
  /** Transaction ids now settled (their effect recorded). */
  settled: string[]
  /** Transaction ids now failed (nothing moved). */
  failed: string[]
  /** Transaction ids still waiting for the chain. */
  pending: string[]
}

export async function reconcileSession(context: SessionContext, options: { olderThanMs: number }): Promise<SessionReconcileResult> {
  const { db } = context
  const result: SessionReconcileResult = { settled: [], failed: [], pending: [] }
  const cutoff = new Date(Date.now() - options.olderThanMs)
  for (const record of await SessionTransactions.listUnfinished(db, cutoff)) {
    const channelId = record.channelId as Hex
    const fail = async (reason: string) => {
      await SessionTransactions.markFailed(db, record.id, reason)
      if (record.kind === 'close') await SessionChannels.endClosing(db, channelId)
      if (await SessionChannels.getChannel(db, channelId)) await refreshFromChain(context, channelId)
      result.failed.push(record.id)
    }
    if (!record.txHash) {
      await fail('interrupted before it was signed')
      continue
    }
    const txHash = record.txHash as Hex
    const receipt = await receiptOf(context, txHash)
    if (!receipt) {
      if (await isInMempool(context, txHash)) result.pending.push(record.id)
      else await fail(`transaction ${txHash} was never mined`)
      continue
    }
    if (!(await isConfirmed(context.rail, receipt))) {
      result.pending.push(record.id)
      continue
    }
    if (receipt.status !== 'success') {
      await fail(`reverted on chain in ${txHash}`)
      continue
    }
    const amount = BigInt(record.amount)
    if (record.kind === 'settle') await SessionChannels.recordRedeemed(db, { channelId, amount })
    if (record.kind === 'close') await SessionChannels.recordRedeemed(db, { channelId, amount, close: { txHash } })
    // An open whose channel was never recorded is taken as it is when its payer sends the credential again.
    if (await SessionChannels.getChannel(db, channelId)) await refreshFromChain(context, channelId)
    await SessionTransactions.markSettled(db, record.id, txHash)
    result.settled.push(record.id)
  }
  // A channel left closing with no close in flight (the process died before claiming one) takes charges again.
  await SessionChannels.releaseStaleClosing(db, cutoff)
  return result
}

async function isInMempool(context: SessionContext, hash: Hex): Promise<boolean> {
  return read('reading a transaction', async () => {
    try {
      await context.rail.publicClient.getTransaction({ hash })
      return true
    } catch (error) {
      if (error instanceof TransactionNotFoundError) return false
      throw error
    }
  })
}
