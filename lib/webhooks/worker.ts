// Delivers due webhook deliveries. Any number of app instances may run this: each claims rows
// atomically (FOR UPDATE SKIP LOCKED inside one UPDATE; PGlite runs the same statement), and a
// claim is a lease, so a delivery whose instance died mid-attempt is picked up again later.
import { and, asc, eq, inArray, isNull, lte, or } from 'drizzle-orm'
import * as Outbound from '@/lib/outbound'
import type { Db } from '@/lib/store/db'
import { merchants, webhookDeliveries, webhookEvents } from '@/lib/store/schema'
import { retryDelayMs, retryPolicyFromEnv, type RetryPolicy } from './backoff'
import * as Signature from './signature'

export type ProcessOptions = {
  limit?: number
  now?: () => Date
  policy?: RetryPolicy
  timeoutMs?: number
  /** Which endpoints may be reached; default: from the environment (ALLOW_PRIVATE_UPSTREAMS). */
  outbound?: Outbound.OutboundPolicy
}

export type AttemptOutcome = { deliveryId: string; ok: boolean; status: number | null; error: string | null }

const DEFAULT_TIMEOUT_MS = 10_000
/** Longer than one attempt can take, so a lease only lapses when its holder is gone. */
const LEASE_MS = 60_000
const POLL_INTERVAL_MS = 5_000

/** Claims up to `limit` due deliveries and attempts each once. Returns what happened to them. */
export async function processDueDeliveries(db: Db, options: ProcessOptions = {}): Promise<AttemptOutcome[]> {
  const now = options.now ?? (() => new Date())
  const claimedAt = now()
  const due = and(
    eq(webhookDeliveries.status, 'pending'),
    lte(webhookDeliveries.nextAttemptAt, claimedAt),
    or(isNull(webhookDeliveries.lockedUntil), lte(webhookDeliveries.lockedUntil, claimedAt)),
  )
  const candidates = db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(due)
    .orderBy(asc(webhookDeliveries.nextAttemptAt))
    .limit(options.limit ?? 10)
    .for('update', { skipLocked: true })
  const claimed = await db
    .update(webhookDeliveries)
    .set({ lockedUntil: new Date(claimedAt.getTime() + LEASE_MS) })
    .where(and(inArray(webhookDeliveries.id, candidates), due))
    .returning({ id: webhookDeliveries.id })
  if (claimed.length === 0) return []

  const jobs = await db
    .select({ delivery: webhookDeliveries, payload: webhookEvents.payload, eventType: webhookEvents.type, secret: merchants.webhookSecret })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .innerJoin(merchants, eq(merchants.id, webhookDeliveries.merchantId))
    .where(
      inArray(
        webhookDeliveries.id,
        claimed.map((c) => c.id),
      ),
    )
  const policy = options.policy ?? retryPolicyFromEnv()
  return Promise.all(
    jobs.map((job) =>
      attempt(db, job, {
        policy,
        now,
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        outbound: options.outbound ?? Outbound.outboundPolicyFromEnv(),
      }),
    ),
  )
}

type Job = { delivery: typeof webhookDeliveries.$inferSelect; payload: string; eventType: string; secret: string | null }

async function attempt(
  db: Db,
  job: Job,
  options: { policy: RetryPolicy; now: () => Date; timeoutMs: number; outbound: Outbound.OutboundPolicy },
): Promise<AttemptOutcome> {
  const { delivery } = job
  const attempts = delivery.attempts + 1
  const startedAt = options.now()
  let status: number | null = null
  let error: string | null = null
  if (!job.secret) error = 'no signing secret: set the endpoint again'
  else {
    try {
      // Redirects come back unfollowed: an endpoint answers where it was configured, or fails.
      const response = await Outbound.requestPublic(
        delivery.url,
        {
          method: 'POST',
          body: job.payload,
          timeoutMs: options.timeoutMs,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Tollgate-Webhooks/1.0',
            'tollgate-event-id': JSON.parse(job.payload).id,
            'tollgate-event-type': job.eventType,
            'tollgate-delivery-id': delivery.id,
            [Signature.headerName.toLowerCase()]: Signature.header(job.secret, job.payload, Math.floor(startedAt.getTime() / 1000)),
          },
        },
        options.outbound,
      )
      status = response.status
      await response.body?.cancel().catch(() => {})
      if (status < 200 || status > 299) error = `the endpoint answered HTTP ${status}`
    } catch (cause) {
      // A refused endpoint was never contacted: no status, so the log cannot probe what answers there.
      error = describeFailure(cause)
    }
  }
  const finishedAt = options.now()
  const ok = error === null
  const givingUp = !ok && attempts >= options.policy.maxAttempts
  await db
    .update(webhookDeliveries)
    .set({
      attempts,
      lastAttemptAt: startedAt,
      lastResponseStatus: status,
      lastError: error,
      lockedUntil: null,
      status: ok ? 'delivered' : givingUp ? 'failed' : 'pending',
      deliveredAt: ok ? finishedAt : null,
      nextAttemptAt: ok || givingUp ? null : new Date(finishedAt.getTime() + retryDelayMs(options.policy, attempts)),
    })
    .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.status, 'pending')))
  return { deliveryId: delivery.id, ok, status, error }
}

function describeFailure(error: unknown): string {
  if (error instanceof Outbound.OutboundRefusedError) return `refused: ${error.message}`
  if (error instanceof Outbound.OutboundFailedError) return error.message
  return 'network error'
}

// One worker per process, shared by every module instance Next.js creates.
type WorkerState = { db: Db | null; timer: NodeJS.Timeout | null; running: boolean; again: boolean; enabled: boolean }
const globalWorker = globalThis as unknown as { __tollgateWebhookWorker?: WorkerState }
const state = (globalWorker.__tollgateWebhookWorker ??= { db: null, timer: null, running: false, again: false, enabled: true })

/** Turns background delivery off (tests that drive processDueDeliveries themselves) or back on. */
export function setWebhookWorkerEnabled(enabled: boolean): void {
  state.enabled = enabled
  if (!enabled) stopWebhookWorker()
}

/** Starts polling for due deliveries (retries) in this process; idempotent. */
export function startWebhookWorker(db: Db, intervalMs: number = POLL_INTERVAL_MS): void {
  if (!state.enabled) return
  state.db = db
  if (state.timer) return
  state.timer = setInterval(() => void drain(), intervalMs)
  state.timer.unref()
}

/** Starts the worker if needed and delivers what is due right away (new events, resends). */
export function kickWebhookWorker(db: Db): void {
  if (!state.enabled) return
  startWebhookWorker(db)
  setImmediate(() => void drain())
}

export function stopWebhookWorker(): void {
  if (state.timer) clearInterval(state.timer)
  state.timer = null
  state.db = null
}

async function drain(): Promise<void> {
  if (state.running) {
    state.again = true
    return
  }
  state.running = true
  try {
    do {
      state.again = false
      const db = state.db
      if (!db) return
      while ((await processDueDeliveries(db)).length > 0) {
        // keep going while there is work
      }
    } while (state.again)
  } catch {
    // The next tick retries; a database hiccup must not crash the server.
  } finally {
    state.running = false
  }
}
