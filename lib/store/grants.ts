// Access grants let a payer come back to what they paid for without paying again.
// The bearer token lives only in the payer's cookie; the database keeps its SHA-256.
import { createHash, randomBytes } from 'node:crypto'
import { and, eq, gt, isNull, or, sql } from 'drizzle-orm'
import type { Db } from './db'
import { accessGrants } from './schema'

export type Grant = typeof accessGrants.$inferSelect

/** What the database keeps of a grant token: base64url(SHA-256(token)). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}

export async function issue(
  db: Db,
  input: { paymentId: string; resourceKey: string; expiresAt: Date | null; usesLeft: number | null },
): Promise<{ token: string; grant: Grant }> {
  const token = randomBytes(24).toString('base64url')
  const rows = await db
    .insert(accessGrants)
    .values({ tokenHash: hashToken(token), ...input })
    .returning()
  return { token, grant: rows[0]! }
}

/**
 * Issues a grant for a token the payer already holds (set before payment, only its hash known here).
 * Idempotent: false when a grant with this hash exists (another path issued it first).
 */
export async function issueWithHash(
  db: Db,
  input: { tokenHash: string; paymentId: string; resourceKey: string; expiresAt: Date | null; usesLeft: number | null },
): Promise<boolean> {
  const rows = await db
    .insert(accessGrants)
    .values(input)
    .onConflictDoNothing({ target: accessGrants.tokenHash })
    .returning({ tokenHash: accessGrants.tokenHash })
  return rows.length === 1
}

/**
 * Spends one use of a grant for a resource, atomically: of two concurrent requests with a
 * single-use grant only one gets through.
 */
export async function redeem(db: Db, token: string, resourceKey: string, now: Date = new Date()): Promise<Grant | null> {
  const rows = await db
    .update(accessGrants)
    .set({ usesLeft: sql`CASE WHEN ${accessGrants.usesLeft} IS NULL THEN NULL ELSE ${accessGrants.usesLeft} - 1 END` })
    .where(
      and(
        eq(accessGrants.tokenHash, hashToken(token)),
        eq(accessGrants.resourceKey, resourceKey),
        or(isNull(accessGrants.expiresAt), gt(accessGrants.expiresAt, now)),
        or(isNull(accessGrants.usesLeft), gt(accessGrants.usesLeft, 0)),
      ),
    )
    .returning()
  return rows[0] ?? null
}
