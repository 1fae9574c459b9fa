// A credential whose payment already moved comes back. Usually that is a replay and is refused;
// but if the first attempt died after the money moved (crash before recording, failed delivery),
// the payer gets what they paid for, never a second charge.
import { InvalidChallengeError } from '@/lib/protocol/Problem'
import type { SettlementReplayError } from '@/lib/rails/errors'
import * as Payments from '@/lib/store/payments'
import * as Settlements from '@/lib/store/settlements'
import type { Deliver, Gate, Outcome, PricedResource } from '../types'
import { deliverPaid, recordSettled } from './deliver'
import { settledFromRecord } from './reconciled-payments'

/** A first attempt still working on it after this long is taken to have died. */
const ABANDONED_AFTER_MS = 30_000

export type Recovery<T> = { outcome: Outcome<T> } | { problem: InvalidChallengeError; retryAfterSeconds?: number }

export async function recoverReplay<T>(
  gate: Gate,
  resource: PricedResource,
  deliver: Deliver<T>,
  replay: SettlementReplayError,
): Promise<Recovery<T>> {
  const now = gate.clock.now().getTime()
  const settlement = await Settlements.get(gate.db, replay.replayKey)
  if (!settlement) return { problem: replay }
  const payment = await Payments.getBySettlementKey(gate.db, replay.replayKey)

  if (payment) {
    if (payment.resourceKey !== resource.key) return { problem: replay }
    const abandoned = payment.delivery === 'pending' && now - payment.createdAt.getTime() > ABANDONED_AFTER_MS
    if (payment.delivery === 'failed' || abandoned) return { outcome: await deliverPaid(gate, resource, deliver, payment) }
    return { problem: new InvalidChallengeError(`${replay.detail}. It was delivered; its receipt is at /receipts/${payment.id}`) }
  }

  if (settlement.status === 'settled' && settlement.txHash && now - settlement.updatedAt.getTime() > ABANDONED_AFTER_MS) {
    // Money moved but the attempt died before recording: record it from the durable settlement.
    const { settled, protocol, challengeId } = settledFromRecord(gate, settlement)
    const recorded = await recordSettled(gate, resource, settled, protocol, challengeId)
    return { outcome: await deliverPaid(gate, resource, deliver, recorded) }
  }

  if (settlement.status === 'settled' && settlement.txHash) {
    // Paid but not recorded yet: the first attempt may still be at it, or it died and this is its window.
    const waitSeconds = Math.max(1, Math.ceil((settlement.updatedAt.getTime() + ABANDONED_AFTER_MS - now) / 1000) + 1)
    return {
      problem: new InvalidChallengeError(
        `${replay.detail}. The payment went through and is being recorded; retry the same request in ${waitSeconds} seconds to get what you paid for`,
      ),
      retryAfterSeconds: waitSeconds,
    }
  }
  if (settlement.status === 'claimed' || settlement.status === 'submitted')
    return {
      problem: new InvalidChallengeError(`${replay.detail}. The first attempt is still settling; retry in a few seconds`),
      retryAfterSeconds: 5,
    }
  return { problem: replay }
}
