// Merchants are identified by the EVM address they sign in with; one row per address.
import { randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { Address } from 'viem'
import type { Db } from './db'
import { merchants } from './schema'

export type Merchant = typeof merchants.$inferSelect

export function newMerchantId(): string {
  return `mer_${randomBytes(16).toString('base64url')}`
}

/** Creates the merchant for a checksummed address, or returns the existing one (safe under races). */
export async function insertOrGet(db: Db, address: Address): Promise<Merchant> {
  const inserted = await db
    .insert(merchants)
    .values({ id: newMerchantId(), address })
    .onConflictDoNothing({ target: merchants.address })
    .returning()
  if (inserted[0]) return inserted[0]
  const existing = await getByAddress(db, address)
  if (!existing) throw new Error('merchant vanished during insert')
  return existing
}

export async function getById(db: Db, id: string): Promise<Merchant | null> {
  const rows = await db.select().from(merchants).where(eq(merchants.id, id)).limit(1)
  return rows[0] ?? null
}

export async function getByAddress(db: Db, address: Address): Promise<Merchant | null> {
  const rows = await db.select().from(merchants).where(eq(merchants.address, address)).limit(1)
  return rows[0] ?? null
}
