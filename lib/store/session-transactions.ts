// Durable state of every transaction the server submits for a session channel (a relayed open or
// top-up, a settle, a close): claimed -> submitted(txHash) -> settled | failed, like lib/store/settlements.
// A partial unique index lets one settle or close per channel be in flight across all instances; the
// replay key lets one EIP-3009 authorization be submitted once.
import { randomBytes } from 'node:crypto'
import { and, eq, inArray, lte, sql } from 'drizzle-orm'
import type { Db } from './db'
import { sessionTransactions } from './schema'

export type SessionTransaction = typeof sessionTransactions.$inferSelect
export type SessionTransactionKind = SessionTransaction['kind']

export type ClaimInput = {
  channelId: string
  kind: SessionTransactionKind
  /** Relayed opens and top-ups: the authorization's key; settle and close have none (one in flight per channel instead). */
  replayKey?: string
  amount: bigint
  reason: string
}

export type ClaimResult = { claimed: true; transaction: SessionTransaction } | { claimed: false; existing: SessionTransaction | null }

/** Claims the right to submit; `existing` is what holds it when another request (or a crash) got there first. */
export async function claim(db: Db, input: ClaimInput): Promise<ClaimResult> {
  const inserted = await db
    .insert(sessionTransactions)
    .values({
      id: randomBytes(12).toString('base64url'),
      channelId: input.channelId,
      kind: input.kind,
      replayKey: input.replayKey ?? null,
      amount: input.amount.toString(),
      status: 'claimed',
      reason: input.reason,
    })
    .onConflictDoNothing()
    .returning()
  if (inserted[0]) return { claimed: true, transaction: inserted[0] }
  const [existing] = input.replayKey
    ? await db.select().from(sessionTransactions).where(eq(sessionTransactions.replayKey, input.replayKey)).limit(1)
    : await db
        .select()
        .from(sessionTransactions)
        .where(
          and(
            eq(sessionTransactions.channelId, input.channelId),
            inArray(sessionTransactions.kind, ['settle', 'close']),
            inArray(sessionTransactions.status, ['claimed', 'submitted']),
          ),
        )
        .limit(1)
  return { claimed: false, existing: existing ?? null }
}

/** Takes a failed relayed open or top-up back for another attempt; only one concurrent caller wins. */
export async function reclaimFailed(db: Db, id: string): Promise<boolean> {
  const rows = await db
    .update(sessionTransactions)
    .set({ status: 'claimed', txHash: null, error: null, updatedAt: sql`now()` })
    .where(and(eq(sessionTransactions.id, id), eq(sessionTransactions.status, 'failed')))
    .returning({ id: sessionTransactions.id })
  return rows.length === 1
}

/** The signed transaction's hash, written before it is broadcast (a re-signed send overwrites it). */
export async function markSubmitted(db: Db, id: string, txHash: string): Promise<void> {
  await db
    .update(sessionTransactions)
    .set({ status: 'submitted', txHash, updatedAt: sql`now()` })
    .where(eq(sessionTransactions.id, id))
}

export async function markSettled(db: Db, id: string, txHash: string): Promise<void> {
  await db
    .update(sessionTransactions)
    .set({ status: 'settled', txHash, error: null, updatedAt: sql`now()` })
    .where(eq(sessionTransactions.id, id))
}

export async function markFailed(db: Db, id: string, error: string): Promise<void> {
  await db
    .update(sessionTransactions)
    .set({ status: 'failed', error: error.slice(0, 1_000), updatedAt: sql`now()` })
    .where(eq(sessionTransactions.id, id))
}

export async function get(db: Db, id: string): Promise<SessionTransaction | null> {
  const rows = await db.select().from(sessionTransactions).where(eq(sessionTransactions.id, id)).limit(1)
  return rows[0] ?? null
}

/** Records left claimed or submitted and untouched since `before`: what a crash (or a lost RPC answer) left behind. */
export async function listUnfinished(db: Db, before: Date): Promise<SessionTransaction[]> {
  return db
    .select()
    .from(sessionTransactions)
    .where(
      and(
        inArray(sessionTransactions.status, ['claimed', 'submitted']),
        lte(sessionTransactions.updatedAt, sql`${before.toISOString()}::timestamptz`),
      ),
    )
}

/** A channel's transactions, oldest first (the dashboard's history, and tests). */
export async function listForChannel(db: Db, channelId: string): Promise<SessionTransaction[]> {
  return db.select().from(sessionTransactions).where(eq(sessionTransactions.channelId, channelId)).orderBy(sessionTransactions.createdAt)
}
