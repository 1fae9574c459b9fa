// The dashboard's "settle now" and "close" on one of the merchant's channels. Ownership is checked in the
// database first, so another merchant's channel id is a 404 and the chain is never touched for it.
import type { Hex } from 'viem'
import * as Problem from '@/lib/protocol/Problem'
import { isRailUnavailable } from '@/lib/rails/errors'
import type { SessionRail } from '@/lib/rails/evm/session'
import type { Db } from '@/lib/store/db'
import * as SessionChannels from '@/lib/store/session-channels'
import { ChannelActionFailedError, ChannelBusyError, ChannelClosedError, ChannelNotFoundError, SessionsUnavailableError } from './errors'

/** What the actions need from the session rail (getGate().sessions). */
export type ChannelActions = Pick<SessionRail, 'settleNow' | 'closeChannel'>

export type SettleResult = { status: 'settled'; txHash: string; amount: string } | { status: 'nothing-to-settle' }

/** The merchant's channel, or ChannelNotFoundError (also for an id that is not a channel id). */
export async function requireOwnChannel(db: Db, merchantId: string, channelId: string): Promise<SessionChannels.SessionChannel> {
  if (!/^0x[0-9a-fA-F]{64}$/.test(channelId)) throw new ChannelNotFoundError()
  const row = await SessionChannels.getChannel(db, channelId.toLowerCase())
  if (!row || row.merchantId !== merchantId) throw new ChannelNotFoundError()
  return row
}

/** Redeems the channel's best voucher on chain now. */
export async function settleChannelNow(
  db: Db,
  merchantId: string,
  channelId: string,
  sessions: ChannelActions | null,
): Promise<SettleResult> {
  const row = await requireOwnChannel(db, merchantId, channelId)
  if (row.finalized) throw new ChannelClosedError('this channel is closed: everything it owed was paid when it closed')
  if (!sessions) throw new SessionsUnavailableError()
  const outcome = await asAppError(() => sessions.settleNow(row.channelId as Hex))
  if (outcome.status === 'in-flight') throw new ChannelBusyError()
  return outcome.status === 'settled' ? { status: 'settled', txHash: outcome.txHash, amount: outcome.amount.toString() } : outcome
}

/** Closes the channel with its best voucher: the merchant gets what was accepted, the payer the rest of the deposit. */
export async function closeChannelNow(
  db: Db,
  merchantId: string,
  channelId: string,
  sessions: ChannelActions | null,
): Promise<{ txHash: string; amount: string }> {
  const row = await requireOwnChannel(db, merchantId, channelId)
  if (row.finalized) throw new ChannelClosedError('this channel is already closed')
  if (!sessions) throw new SessionsUnavailableError()
  const closed = await asAppError(() => sessions.closeChannel(row.channelId as Hex))
  return { txHash: closed.txHash, amount: closed.amount.toString() }
}

/** The rail's refusals as the dashboard says them (never a viem message: it may name the RPC URL). */
async function asAppError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (Problem.is(error)) {
      if (error.code === 'session/channel-finalized') throw new ChannelClosedError(error.detail)
      if (error.code === 'session/channel-not-found') throw new ChannelNotFoundError()
      throw new ChannelActionFailedError(error.detail)
    }
    if (isRailUnavailable(error)) throw new SessionsUnavailableError(error.detail)
    throw error
  }
}
