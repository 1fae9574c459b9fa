// The escrow's word on a channel, recorded: after a top-up, a failed redeem, an event the watcher saw, or
// a transaction reconcile() finished. Deposit and settled only grow; a pending close follows the chain.
import type { Hex } from 'viem'
import * as SessionChannels from '@/lib/store/session-channels'
import type { SessionContext } from './context'
import { readChannel } from './escrow'

/** Reads the channel from the escrow and records what it says (deposit, settled, pending close, finalized). */
export async function refreshFromChain(context: SessionContext, channelId: Hex): Promise<SessionChannels.SessionChannel | null> {
  const onChain = await readChannel(context, channelId)
  return SessionChannels.applyChainState(context.db, channelId, {
    deposit: onChain.deposit,
    settled: onChain.settled,
    closeRequestedAt: onChain.closeRequestedAt,
    finalized: onChain.finalized,
  })
}
