// A payment whose instance died after the money moved is finished by reconcile from the chain. Its
// payment row is recorded right then from the durable settlement (which keeps what was sold), so the
// merchant's books never wait for the payer to come back; the payer's retry then gets the resource.
import * as Payments from '@/lib/store/payments'
import * as Settlements from '@/lib/store/settlements'
import { saleOf } from '../sale'
import type { Gate, Protocol, Settled } from '../types'
import { recordSettled } from './deliver'

/** The settlement a settled record stands for, and how it was paid. */
export function settledFromRecord(
  gate: Gate,
  settlement: Settlements.Settlement,
): { settled: Settled; protocol: Protocol; challengeId: string | null } {
  const details = settlement.details as { challengeId?: string; protocol?: string; currency?: string }
  const evm = settlement.rail === 'evm'
  const method = evm ? 'evm' : 'stripe'
  return {
    settled: {
      settlementKey: settlement.replayKey,
      method,
      reference: settlement.txHash ?? '',
      payer: settlement.payer,
      amount: settlement.amount ?? '0',
      currency: details.currency ?? gate.methods.all.find((m) => m.method === method)?.currency ?? 'unknown',
      receiptFields: evm ? { chainId: Number(settlement.replayKey.split(':')[0]) } : {},
    },
    protocol: details.protocol === 'x402' ? 'x402' : 'mpp',
    challengeId: details.challengeId ?? null,
  }
}

/** Records the payments of settlements reconcile just settled, unless a request already did. */
export async function recordReconciled(gate: Gate, replayKeys: readonly string[]): Promise<void> {
  for (const key of replayKeys) {
    const settlement = await Settlements.get(gate.db, key)
    const sale = saleOf(settlement?.details)
    if (!settlement || settlement.status !== 'settled' || !settlement.txHash || !sale) continue
    if (await Payments.getBySettlementKey(gate.db, key)) continue
    const { settled, protocol, challengeId } = settledFromRecord(gate, settlement)
    const payment = await recordSettled(gate, sale, settled, protocol, challengeId)
    // Nothing was delivered: the payer's retry of the same credential delivers at once.
    await Payments.markDeliveryFailedIfPending(gate.db, payment.id, 'the instance settling this payment stopped before delivering it')
  }
}

/** A settled payment whose request died before recording it (or lost the database) for a minute. */
const UNRECORDED_AFTER_MS = 60_000
/** Older ones were settled by a version that kept no sale, or are long handled: not looked at again. */
const UNRECORDED_WITHIN_MS = 24 * 3600_000

/** Records settled EVM payments that no request recorded (see UNRECORDED_AFTER_MS), a batch at a time. */
export async function recordUnrecorded(gate: Gate): Promise<void> {
  const keys = await Settlements.listSettledWithoutPayment(gate.db, {
    rail: 'evm',
    idleMs: UNRECORDED_AFTER_MS,
    withinMs: UNRECORDED_WITHIN_MS,
    limit: 100,
  })
  await recordReconciled(gate, keys)
}
