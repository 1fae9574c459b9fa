// The atomic step between "verified" and "money moves": whoever inserts the replay key settles.
import { SettlementReplayError } from '@/lib/rails/errors'
import * as Settlements from '@/lib/store/settlements'
import type { RailContext } from './context'
import { rail } from './context'

/**
 * Claims `replayKey` for this settlement, or throws SettlementReplayError when another request
 * already claimed or settled it. A failed record is taken over: every failure we record is either
 * pre-broadcast or final on chain, and the chain itself refuses a second use of the same payment.
 * With `txHash` the record starts `submitted` with that hash (it is signed and about to be sent).
 * Resolves 'reclaimed' when a failed record was taken over (it keeps its old details).
 */
export async function claimOrReject(
  context: RailContext,
  input: { replayKey: string; payer: string; amount: string; details: Record<string, unknown>; txHash?: string },
  what: string,
): Promise<'claimed' | 'reclaimed'> {
  const result = await Settlements.claim(context.db, { ...input, rail })
  if (result.claimed) return 'claimed'
  const existing = result.settlement
  if (existing.status === 'failed' && (await Settlements.reclaimFailed(context.db, input.replayKey, input.txHash))) return 'reclaimed'
  const where = existing.txHash && !what.includes(existing.txHash) ? ` in transaction ${existing.txHash}` : ''
  const state =
    existing.status === 'settled'
      ? `was already settled${where}`
      : existing.status === 'failed'
        ? 'is being retried by another request'
        : `is already being settled${where}`
  throw new SettlementReplayError(`${what} ${state}; it cannot pay twice`, input.replayKey)
}
