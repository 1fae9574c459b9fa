// Redeeming vouchers on chain (draft-evm-session-00, Settlement Procedure): `settle` pays the payee up to
// the best accepted voucher and keeps the channel open; `close` pays the final voucher, refunds the rest
// to the payer and finalizes. Both are payee-only calls, submitted by the settler (the channels' payee),
// one per channel at a time; a reverted receipt is a typed failure, never a pending one.
import type { Hex } from 'viem'
import * as Problem from '@/lib/protocol/Problem'
import { ChannelFinalizedError, ChannelNotFoundError } from '@/lib/protocol/Problem'
import * as SessionChannels from '@/lib/store/session-channels'
import * as SessionTransactions from '@/lib/store/session-transactions'
import { RailUnavailableError } from '../../Errors'
import type { SessionContext } from './context'
import { type SubmitOutcome, submitEscrowCall } from './submit'
import { refreshFromChain } from './refresh'

export type SettleOutcome =
  | { status: 'settled'; txHash: Hex; amount: bigint }
  /** Nothing above what is settled on chain, or the channel is finalized. */
  | { status: 'nothing-to-settle' }
  /** A settle or close of this channel is in flight (another instance, or a crash that reconcile() will finish). */
  | { status: 'in-flight' }

/** Settles the channel's best accepted voucher, when it is above what the escrow has paid out. */
export async function settleChannel(context: SessionContext, channelId: Hex, reason: string): Promise<SettleOutcome> {
  const row = await SessionChannels.getChannel(context.db, channelId)
  if (!row) throw new ChannelNotFoundError(`no channel ${channelId} on this server`, { extensions: { channelId } })
  const amount = BigInt(row.accepted)
  if (row.finalized || amount <= BigInt(row.settledOnChain) || !row.bestSignature) return { status: 'nothing-to-settle' }
  let outcome: SubmitOutcome
  try {
    outcome = await submitEscrowCall(
      context,
      {
        channelId,
        kind: 'settle',
        amount,
        reason,
        what: `the settle of channel ${channelId} at ${amount}`,
        call: { functionName: 'settle', args: [channelId, amount, row.bestSignature] },
      },
      async () => {
        await SessionChannels.recordRedeemed(context.db, { channelId, amount })
      },
    )
  } catch (error) {
    await refreshAfterFailure(context, channelId, error)
    throw error
  }
  if (outcome.status === 'busy') return { status: 'in-flight' }
  return { status: 'settled', txHash: outcome.txHash, amount }
}

export type CloseOutcome = { txHash: Hex; amount: bigint; row: SessionChannels.SessionChannel }

/**
 * Closes the channel (Cooperative Close): charging stops first, so `spent` is final; then the smallest voucher
 * held that covers everything spent is redeemed — the client's final voucher when it does, else the best
 * accepted one (the spec's fallback). At or below what is settled, nothing new is redeemed and no signature is
 * needed (the escrow's forfeit path). On a revert the channel is not reported closed and takes charges again.
 */
export async function closeChannel(
  context: SessionContext,
  channelId: Hex,
  parameters: { reason: string; finalVoucher?: { cumulativeAmount: bigint; signature: Hex } },
): Promise<CloseOutcome> {
  const extensions = { channelId }
  const frozen = await SessionChannels.beginClosing(context.db, channelId)
  if (!frozen) {
    const row = await SessionChannels.getChannel(context.db, channelId)
    if (!row) throw new ChannelNotFoundError(`no channel ${channelId} on this server`, { extensions })
    if (row.finalized)
      throw new ChannelFinalizedError(
        `channel ${channelId} is already closed${row.closeTxHash ? ` (transaction ${row.closeTxHash})` : ''}`,
        { extensions },
      )
    throw new RailUnavailableError(`channel ${channelId} is being closed by another request; send the credential again shortly`, {
      retryAfterSeconds: 2,
    })
  }
  const spent = BigInt(frozen.spent)
  const accepted = BigInt(frozen.accepted)
  const settled = BigInt(frozen.settledOnChain)
  const final = parameters.finalVoucher
  let amount = accepted
  let signature = frozen.bestSignature ?? '0x'
  if (final && final.cumulativeAmount >= spent && final.cumulativeAmount < accepted) {
    amount = final.cumulativeAmount
    signature = final.signature
  }
  if (amount <= settled) {
    amount = settled
    signature = '0x'
  }
  let outcome: SubmitOutcome
  let closed: SessionChannels.SessionChannel | null = null
  try {
    outcome = await submitEscrowCall(
      context,
      {
        channelId,
        kind: 'close',
        amount,
        reason: parameters.reason,
        what: `the close of channel ${channelId} at ${amount}`,
        call: { functionName: 'close', args: [channelId, amount, signature] },
      },
      async (receipt) => {
        closed = await SessionChannels.recordRedeemed(context.db, { channelId, amount, close: { txHash: receipt.transactionHash } })
      },
    )
  } catch (error) {
    // A close broadcast but not yet confirmed keeps the channel closing: reconcile() finishes or reopens it.
    const pending = (await SessionTransactions.listForChannel(context.db, channelId)).some(
      (transaction) => transaction.kind === 'close' && (transaction.status === 'claimed' || transaction.status === 'submitted'),
    )
    if (!pending) await SessionChannels.endClosing(context.db, channelId)
    await refreshAfterFailure(context, channelId, error)
    throw error
  }
  if (outcome.status === 'busy') {
    await SessionChannels.endClosing(context.db, channelId)
    throw new RailUnavailableError(`a settlement of channel ${channelId} is being mined; send the close again shortly`, {
      retryAfterSeconds: 5,
    })
  }
  return { txHash: outcome.txHash, amount, row: closed ?? (await SessionChannels.getChannel(context.db, channelId))! }
}

/** After a failed redeem the escrow may know better (settled elsewhere, finalized by a withdraw): take its word. */
async function refreshAfterFailure(context: SessionContext, channelId: Hex, error: unknown): Promise<void> {
  if (!Problem.is(error)) return
  await refreshFromChain(context, channelId).catch(() => undefined)
}
