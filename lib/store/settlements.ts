// Durable state of every money movement: claimed -> submitted(txHash) -> settled | failed.
// The primary key on replay_key is what makes a claim atomic across processes.
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from './db'
import { payments, settlements } from './schema'

export type SettlementStatus = 'claimed' | 'submitted' | 'settled' | 'failed'
export type Settlement = typeof settlements.$inferSelect

export type ClaimInput = {
  replayKey: string
  rail: string
  payer?: string | null
  amount?: string | null
  details?: Record<string, unknown>
  /** The transaction about to be sent: the record starts `submitted` with it (one statement instead of two). */
  txHash?: string
}
export type ClaimResult = { claimed: true; settlement: Settlement } | { claimed: false; settlement: Settlement }

export async function claim(db: Db, input: ClaimInput): Promise<ClaimResult> {
  const inserted = await db
    .insert(settlements)
    .values({
      replayKey: input.replayKey,
      rail: input.rail,
      status: input.txHash ? 'submitted' : 'claimed',
      txHash: input.txHash ?? null,
      payer: input.payer ?? null,
      amount: input.amount ?? null,
      details: input.details ?? {},
    })
    .onConflictDoNothing({ target: settlements.replayKey })
    .returning()
  if (inserted[0]) return { claimed: true, settlement: inserted[0] }
  const existing = await get(db, input.replayKey)
  if (!existing) throw new Error(`settlement ${input.replayKey} vanished during claim`)
  return { claimed: false, settlement: existing }
}

/** Takes a failed settlement back for another attempt (as `submitted` when `txHash` is given); only one concurrent caller wins. */
export async function reclaimFailed(db: Db, replayKey: string, txHash?: string): Promise<boolean> {
  const rows = await db
    .update(settlements)
    .set(
      txHash
        ? { status: 'submitted', txHash, error: null, updatedAt: sql`now()` }
        : { status: 'claimed', error: null, updatedAt: sql`now()` },
    )
    .where(and(eq(settlements.replayKey, replayKey), eq(settlements.status, 'failed')))
    .returning({ replayKey: settlements.replayKey })
  return rows.length === 1
}

export async function markSubmitted(db: Db, replayKey: string, txHash: string): Promise<void> {
  await db
    .update(settlements)
    .set({ status: 'submitted', txHash, updatedAt: sql`now()` })
    .where(eq(settlements.replayKey, replayKey))
}

/** A held claim (settle after success) is being submitted with `txHash`; false when it is no longer held (released or judged). */
export async function submitClaimed(db: Db, replayKey: string, txHash: string): Promise<boolean> {
  const rows = await db
    .update(settlements)
    .set({ status: 'submitted', txHash, updatedAt: sql`now()` })
    .where(and(eq(settlements.replayKey, replayKey), eq(settlements.status, 'claimed')))
    .returning({ replayKey: settlements.replayKey })
  return rows.length === 1
}

/** Gives up a held claim that was never submitted: `failed`, so the same credential can pay again (reclaimFailed). */
export async function releaseClaim(db: Db, replayKey: string, error: string): Promise<boolean> {
  const rows = await db
    .update(settlements)
    .set({ status: 'failed', error, updatedAt: sql`now()` })
    .where(and(eq(settlements.replayKey, replayKey), eq(settlements.status, 'claimed')))
    .returning({ replayKey: settlements.replayKey })
  return rows.length === 1
}

export async function markSettled(db: Db, replayKey: string, txHash: string): Promise<void> {
  await db
    .update(settlements)
    .set({ status: 'settled', txHash, error: null, updatedAt: sql`now()` })
    .where(eq(settlements.replayKey, replayKey))
}

export async function markFailed(db: Db, replayKey: string, error: string): Promise<void> {
  await db
    .update(settlements)
    .set({ status: 'failed', error, updatedAt: sql`now()` })
    .where(eq(settlements.replayKey, replayKey))
}

export async function updateDetails(db: Db, replayKey: string, details: Record<string, unknown>): Promise<void> {
  await db
    .update(settlements)
    .set({ details, updatedAt: sql`now()` })
    .where(eq(settlements.replayKey, replayKey))
}

export async function listByStatus(db: Db, status: SettlementStatus): Promise<Settlement[]> {
  return db.select().from(settlements).where(eq(settlements.status, status))
}

/**
 * Replay keys of `rail` settlements that settled between `withinMs` and `idleMs` ago and still have no
 * payment row: their request died (or lost the database) between settling and recording.
 */
export async function listSettledWithoutPayment(
  db: Db,
  options: { rail: string; idleMs: number; withinMs: number; limit: number },
): Promise<string[]> {
  const rows = await db
    .select({ replayKey: settlements.replayKey })
    .from(settlements)
    .where(
      and(
        eq(settlements.rail, options.rail),
        eq(settlements.status, 'settled'),
        sql`${settlements.updatedAt} < now() - make_interval(secs => ${options.idleMs / 1000})`,
        sql`${settlements.updatedAt} > now() - make_interval(secs => ${options.withinMs / 1000})`,
        sql`NOT EXISTS (SELECT 1 FROM ${payments} WHERE ${payments.settlementKey} = ${settlements.replayKey})`,
      ),
    )
    .limit(options.limit)
  return rows.map((row) => row.replayKey)
}

export async function get(db: Db, replayKey: string): Promise<Settlement | null> {
  const rows = await db.select().from(settlements).where(eq(settlements.replayKey, replayKey)).limit(1)
  return rows[0] ?? null
}
