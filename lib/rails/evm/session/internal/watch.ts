// The escrow's events about our channels (the payee is an indexed topic of every one of them): a
// payer's requestClose above all, whose grace period is the time left to redeem the best voucher, but
// also cancellations, third-party top-ups and closes or withdrawals this server did not record. Each
// channel named is read again from the escrow, so the database follows the chain whatever the order.
import { type Hex, type Log, numberToHex, pad, parseEventLogs } from 'viem'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import * as SessionChannels from '@/lib/store/session-channels'
import * as SessionWatch from '@/lib/store/session-watch'
import { latestBlockNumber } from '../../internal/chainHead'
import { read } from '../../internal/rpc'
import type { SessionContext } from './context'
import { refreshFromChain } from './refresh'

export type WatchOptions = {
  /** Blocks read again behind the cursor each time: an event mined while its channel's open was being recorded is not missed. */
  overlapBlocks?: bigint
  /** The widest eth_getLogs range asked for at once (RPC providers cap it). */
  maxRange?: bigint
  /** Ranges read per call at most; the rest is read next time. */
  maxRanges?: number
}

export type WatchReport = {
  fromBlock: bigint
  toBlock: bigint
  /** Our channels the escrow reported on, read again. */
  refreshed: Hex[]
  /** Of those, the ones with a pending forced close. */
  closeRequested: Hex[]
}

export async function watchEscrow(context: SessionContext, options: WatchOptions = {}): Promise<WatchReport | undefined> {
  const { db, chainId, escrow } = context
  const overlap = options.overlapBlocks ?? 64n
  const maxRange = options.maxRange ?? 2_000n
  const head = await latestBlockNumber(context.rail)
  const cursor =
    (await SessionWatch.nextBlock(db, chainId, escrow)) ?? (await SessionChannels.earliestLiveBlock(db, chainId, escrow)) ?? head
  let from = cursor > overlap ? cursor - overlap : 0n
  if (from > head) return undefined
  const report: WatchReport = { fromBlock: from, toBlock: from, refreshed: [], closeRequested: [] }
  for (let range = 0; range < (options.maxRanges ?? 20) && from <= head; range++) {
    const to = from + maxRange - 1n < head ? from + maxRange - 1n : head
    const logs = await read('reading the escrow events', () =>
      context.rail.publicClient.request({
        method: 'eth_getLogs',
        params: [
          { address: escrow, fromBlock: numberToHex(from), toBlock: numberToHex(to), topics: [null, null, null, pad(context.payee)] },
        ],
      }),
    )
    const named = new Set<Hex>()
    for (const event of parseEventLogs({ abi: EvmSession.escrowAbi, logs: logs as unknown as Log[] })) {
      const channelId = (event.args as { channelId?: Hex }).channelId
      if (channelId) named.add(channelId.toLowerCase() as Hex)
    }
    // Recorded before the cursor moves: a failure here means the range is read again next time.
    for (const channelId of named) {
      const row = await SessionChannels.getChannel(db, channelId)
      if (!row || row.finalized) continue
      const updated = await refreshFromChain(context, channelId)
      if (!report.refreshed.includes(channelId)) report.refreshed.push(channelId)
      if (updated && updated.closeRequestedAt !== 0n && !updated.finalized && !report.closeRequested.includes(channelId))
        report.closeRequested.push(channelId)
    }
    report.toBlock = to
    await SessionWatch.advance(db, chainId, escrow, to + 1n)
    from = to + 1n
  }
  return report
}
