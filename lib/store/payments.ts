// Payments are recorded once per settlement (unique settlement_key), whichever path gets there first.
import { randomBytes } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from './db'
import { payments } from './schema'

export type Payment = typeof payments.$inferSelect
export type NewPayment = Omit<typeof payments.$inferInsert, 'id' | 'createdAt' | 'status' | 'delivery'> & { status?: 'succeeded' }

/** Unguessable: the id is the capability behind /receipts/{id}. */
export function newPaymentId(): string {
  return `pay_${randomBytes(16).toString('base64url')}`
}

export type RecordResult = { created: boolean; payment: Payment }

/** Inserts the payment unless its settlement already has one; returns whichever row exists. */
export async function recordOnce(db: Db, input: NewPayment & { id?: string }): Promise<RecordResult> {
  const id = input.id ?? newPaymentId()
  const inserted = await db
    .insert(payments)
    .values({ ...input, id, status: input.status ?? 'succeeded' })
    // No target: a prepared id (card checkout) arrives with its settlement key from two paths at once, and
    // whichever unique index PostgreSQL checks first must make the second insert a no-op, never an error.
    .onConflictDoNothing()
    .returning()
  if (inserted[0]) return { created: true, payment: inserted[0] }
  const existing = await getBySettlementKey(db, input.settlementKey)
  if (!existing) throw new Error('payment vanished during record')
  return { created: false, payment: existing }
}

export async function getById(db: Db, id: string): Promise<Payment | null> {
  const rows = await db.select().from(payments).where(eq(payments.id, id)).limit(1)
  return rows[0] ?? null
}

export async function getBySettlementKey(db: Db, settlementKey: string): Promise<Payment | null> {
  const rows = await db.select().from(payments).where(eq(payments.settlementKey, settlementKey)).limit(1)
  return rows[0] ?? null
}

export async function getByReference(db: Db, method: 'evm' | 'stripe', reference: string): Promise<Payment | null> {
  const rows = await db
    .select()
    .from(payments)
    .where(and(eq(payments.method, method), eq(payments.reference, reference)))
    .limit(1)
  return rows[0] ?? null
}

export async function markDelivery(db: Db, id: string, delivery: 'delivered' | 'failed', error?: string): Promise<void> {
  await db
    .update(payments)
    .set({ delivery, deliveryError: error ?? null })
    .where(eq(payments.id, id))
}

/** Marks a payment whose delivery never finished as failed (so a retry delivers); false when it had finished. */
export async function markDeliveryFailedIfPending(db: Db, id: string, error: string): Promise<boolean> {
  const rows = await db
    .update(payments)
    .set({ delivery: 'failed', deliveryError: error })
    .where(and(eq(payments.id, id), eq(payments.delivery, 'pending')))
    .returning({ id: payments.id })
  return rows.length === 1
}

/** Marks refunded once; false when it already was (or does not exist). */
export async function markRefunded(db: Db, id: string): Promise<boolean> {
  const rows = await db
    .update(payments)
    .set({ status: 'refunded', refundedAt: sql`now()` })
    .where(and(eq(payments.id, id), eq(payments.status, 'succeeded')))
    .returning({ id: payments.id })
  return rows.length === 1
}
