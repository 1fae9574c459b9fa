// The periodic sweep that gives back the slots of card holds that expired unpaid, so a capped link's
// figures and its next buyers see them free (a buyer refused for want of a slot also releases expired
// holds of that link first, so no sale waits for the sweep).
import type { Db } from '@/lib/store/db'
import * as LinkSales from '@/lib/store/link-sales'

export const HOLD_SWEEP_INTERVAL_MS = 30_000

const state = globalThis as unknown as { __tollgateHoldSweeper?: ReturnType<typeof setInterval> }

/** Releases every expired unpaid card hold now; returns how many slots came back. */
export function releaseExpiredHolds(db: Db, now: Date = new Date()): Promise<number> {
  return LinkSales.releaseExpired(db, now)
}

/**
 * Starts the sweep once per process (each release is one conditional statement, so instances may overlap).
 * `beforeRelease` runs first on every sweep (the gate extends holds whose payers are confirming).
 */
export function startHoldSweeper(db: Db, beforeRelease?: () => Promise<unknown>, intervalMs: number = HOLD_SWEEP_INTERVAL_MS): void {
  if (state.__tollgateHoldSweeper) return
  const sweep = () =>
    void (beforeRelease?.() ?? Promise.resolve())
      .catch(() => {})
      .then(() => releaseExpiredHolds(db))
      .catch(() => {})
  sweep()
  state.__tollgateHoldSweeper = setInterval(sweep, intervalMs)
  state.__tollgateHoldSweeper.unref()
}
