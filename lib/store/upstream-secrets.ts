// The sealed upstream API keys of service links: written in the transaction that saves the link, read
// only by the gateway when it forwards a request. Sealing and opening are lib/gateway/upstream-secret.ts.
import { eq, sql } from 'drizzle-orm'
import type { Db } from './db'
import { linkUpstreamSecrets } from './schema'

/** The sealed value stored for a link, or null. */
export async function getSealed(db: Db, linkId: string): Promise<string | null> {
  const rows = await db
    .select({ sealed: linkUpstreamSecrets.sealed })
    .from(linkUpstreamSecrets)
    .where(eq(linkUpstreamSecrets.linkId, linkId))
    .limit(1)
  return rows[0]?.sealed ?? null
}

/** Stores (or replaces) the link's sealed value. */
export async function put(tx: Db, linkId: string, sealed: string): Promise<void> {
  await tx
    .insert(linkUpstreamSecrets)
    .values({ linkId, sealed })
    .onConflictDoUpdate({ target: linkUpstreamSecrets.linkId, set: { sealed, updatedAt: sql`now()` } })
}

export async function remove(tx: Db, linkId: string): Promise<void> {
  await tx.delete(linkUpstreamSecrets).where(eq(linkUpstreamSecrets.linkId, linkId))
}
