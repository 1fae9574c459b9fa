// A fixed one-minute window of settlements per scope, shared by every instance on the database: one
// conditional upsert takes a unit, so concurrent settlements of one merchant never exceed the limit.
import { lt, sql } from 'drizzle-orm'
import type { Db } from './db'
import { settlementQuota } from './schema'

const WINDOW_MS = 60_000
/** Windows older than this are deleted when a new one opens (nothing reads them). */
const KEEP_MS = 3_600_000

export type QuotaResult = { taken: true } | { taken: false; retryAfterSeconds: number }

/** Takes one unit of `scope`'s current minute if fewer than `limit` are taken; otherwise says when the next minute starts. */
export async function take(db: Db, parameters: { scope: string; limit: number; now?: number }): Promise<QuotaResult> {
  const now = parameters.now ?? Date.now()
  const windowStart = now - (now % WINDOW_MS)
  const rows = await db
    .insert(settlementQuota)
    .values({ scope: parameters.scope, windowStart, used: 1 })
    .onConflictDoUpdate({
      target: [settlementQuota.scope, settlementQuota.windowStart],
      set: { used: sql`${settlementQuota.used} + 1` },
      setWhere: sql`${settlementQuota.used} < ${parameters.limit}`,
    })
    .returning({ used: settlementQuota.used })
  const used = rows[0]?.used
  if (used === undefined) return { taken: false, retryAfterSeconds: Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000)) }
  if (used === 1) await db.delete(settlementQuota).where(lt(settlementQuota.windowStart, windowStart - KEEP_MS))
  return { taken: true }
}
