// Sign-in nonces live in the database, so a nonce issued by one instance is spent for all of them.
import { and, eq, gt, lt } from 'drizzle-orm'
import { generateSiweNonce } from 'viem/siwe'
import type { Db } from '@/lib/store/db'
import { siweNonces } from '@/lib/store/schema'

export type IssuedNonce = { nonce: string; expiresAt: Date }

/** A fresh random nonce valid for ttlSeconds; expired ones are swept on the way. */
export async function issueNonce(db: Db, ttlSeconds: number, now: Date = new Date()): Promise<IssuedNonce> {
  await db.delete(siweNonces).where(lt(siweNonces.expiresAt, now))
  const nonce = generateSiweNonce()
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000)
  await db.insert(siweNonces).values({ nonce, expiresAt })
  return { nonce, expiresAt }
}

/** Spends a nonce: true exactly once for an issued, unexpired nonce, even under concurrent sign-ins. */
export async function consumeNonce(db: Db, nonce: string, now: Date = new Date()): Promise<boolean> {
  if (typeof nonce !== 'string' || !/^[A-Za-z0-9]{8,96}$/.test(nonce)) return false
  const rows = await db
    .delete(siweNonces)
    .where(and(eq(siweNonces.nonce, nonce), gt(siweNonces.expiresAt, now)))
    .returning({ nonce: siweNonces.nonce })
  return rows.length === 1
}
