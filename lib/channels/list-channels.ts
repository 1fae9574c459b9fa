// A merchant's session channels as the dashboard shows them: who pays, what they deposited, what their
// vouchers accepted, what was spent (revenue), what reached the chain, and when they last paid.
import { formatUnits } from 'viem'
import { channelView } from '@/lib/rails/evm/session/Rail'
import type { Db } from '@/lib/store/db'
import * as SessionChannels from '@/lib/store/session-channels'
import { tokenDecimals } from './token'

export type ChannelRow = {
  channelId: string
  payer: string
  status: 'open' | 'closing' | 'close-requested' | 'closed'
  /** Base units of the token, as decimal strings; `…Usd` the same in dollars. */
  deposit: string
  accepted: string
  spent: string
  settledOnChain: string
  depositUsd: string
  acceptedUsd: string
  spentUsd: string
  settledUsd: string
  lastVoucherAt: string | null
  openedAt: string
  closeRequestedAt: string | null
  closeTxHash: string | null
  linkId: string | null
  /** What it was opened for: `link:<id>` or `route:<METHOD> <path>`. */
  resourceKey: string
}

export type ChannelRevenue = {
  channels: number
  /** Revenue: service delivered and covered by vouchers. */
  spent: string
  spentUsd: string
  accepted: string
  settledOnChain: string
  settledUsd: string
}

export async function listChannels(db: Db, merchantId: string, filter: { linkId?: string; limit?: number } = {}): Promise<ChannelRow[]> {
  const decimals = tokenDecimals()
  const usd = (amount: bigint) => formatUnits(amount, decimals)
  const rows = await SessionChannels.listChannels(db, { merchantId, ...filter })
  return rows.map((row) => {
    const view = channelView(row)
    return {
      channelId: view.channelId,
      payer: view.payer,
      status: view.status,
      deposit: view.deposit.toString(),
      accepted: view.accepted.toString(),
      spent: view.spent.toString(),
      settledOnChain: view.settledOnChain.toString(),
      depositUsd: usd(view.deposit),
      acceptedUsd: usd(view.accepted),
      spentUsd: usd(view.spent),
      settledUsd: usd(view.settledOnChain),
      lastVoucherAt: view.lastVoucherAt?.toISOString() ?? null,
      openedAt: view.openedAt.toISOString(),
      closeRequestedAt: view.closeRequestedAt?.toISOString() ?? null,
      closeTxHash: view.closeTxHash,
      linkId: view.linkId,
      resourceKey: view.resourceKey,
    }
  })
}

/** What a merchant's (or one link's) channels earned: revenue counts what was spent, not what was deposited. */
export async function channelRevenue(db: Db, merchantId: string, filter: { linkId?: string } = {}): Promise<ChannelRevenue> {
  const decimals = tokenDecimals()
  const totals = await SessionChannels.revenue(db, { merchantId, ...filter })
  return {
    channels: totals.channels,
    spent: totals.spent.toString(),
    spentUsd: formatUnits(totals.spent, decimals),
    accepted: totals.accepted.toString(),
    settledOnChain: totals.settledOnChain.toString(),
    settledUsd: formatUnits(totals.settledOnChain, decimals),
  }
}
