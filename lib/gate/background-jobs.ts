// The server's background work, started once per process from instrumentation.ts: settlements a crash left
// half-done are finished from the chain and their payments recorded; card holds that expired unpaid give
// their slots back; due merchant webhooks are delivered; session channels are settled when due, a payer's
// forced close is answered with the best voucher before its grace period ends, and half-done session
// transactions are finished. Every instance runs them: each job's writes are
// claimed atomically in the database, so instances share the work without doing it twice.
import { confirmUnderwayHolds } from '@/lib/checkout/card/holds'
import { RailUnavailableError } from '@/lib/rails/evm'
import * as SessionRail from '@/lib/rails/evm/session'
import { startHoldSweeper } from '@/lib/links/release-expired-holds'
import { startWebhookWorker } from '@/lib/webhooks/worker'
import { recordReconciled, recordUnrecorded } from './core/reconciled-payments'
import { createRuntime, type GateRuntime } from './runtime'

const RECONCILE_INTERVAL_MS = 30_000
/** A gate that cannot be built yet (database down at boot, say) is tried again this often. */
const RETRY_MS = 10_000

const state = globalThis as unknown as { __tollgateJobs?: boolean }

/**
 * instrumentation.ts is compiled as a module graph of its own, so the jobs build their own gate from the
 * environment instead of sharing the route handlers' (whose error classes are other copies); the database
 * handle is one per process either way (lib/store/db.ts).
 */
export function startBackgroundJobs(): void {
  if (state.__tollgateJobs) return
  state.__tollgateJobs = true
  const attempt = () =>
    void createRuntime()
      .then(startJobs)
      .catch((error: unknown) => {
        console.error(`background jobs wait for the gate: ${error instanceof Error ? error.message.split('\n')[0] : 'unknown error'}`)
        setTimeout(attempt, RETRY_MS).unref()
      })
  attempt()
}

function startJobs(gate: GateRuntime): void {
  const { db, evm, stripe } = gate
  if (stripe) startHoldSweeper(db, () => confirmUnderwayHolds(db, stripe))
  startWebhookWorker(db)
  if (evm) {
    // The rail only judges records idle for a minute, so in-flight settlements of other instances are safe.
    const reconcile = () =>
      void evm
        .reconcile()
        .then((result) => recordReconciled(gate, result.settled))
        .then(() => recordUnrecorded(gate))
        .catch(() => {})
    reconcile()
    setInterval(reconcile, RECONCILE_INTERVAL_MS).unref()
  }
  if (gate.sessions) startSessionJobs(gate.sessions)
}

/** The escrow is checked first (code, voucher domain, grace period): an unusable one is said once, and no channel is accepted on it. */
function startSessionJobs(sessions: SessionRail.SessionRail): void {
  void sessions.verifyEscrow().then(
    () => sessions.startJobs(),
    (error: unknown) => {
      const unusable = error instanceof SessionRail.SessionsUnavailableError
      console.error(`evm/session: ${error instanceof RailUnavailableError ? error.detail : 'the escrow could not be checked'}`)
      // A chain that was down at boot: try again; an unusable escrow stays refused (sessions are not offered).
      if (!unusable) setTimeout(() => startSessionJobs(sessions), RETRY_MS).unref()
    },
  )
}
