// Where the session escrow's event watcher has read up to, per chain and escrow, shared by every instance.
import { and, eq, sql } from 'drizzle-orm'
import type { Db } from './db'
import { sessionWatch } from './schema'

export async function nextBlock(db: Db, chainId: number, escrow: string): Promise<bigint | null> {
  const rows = await db
    .select({ nextBlock: sessionWatch.nextBlock })
    .from(sessionWatch)
    .where(and(eq(sessionWatch.chainId, chainId), eq(sessionWatch.escrow, escrow)))
    .limit(1)
  return rows[0]?.nextBlock ?? null
}

/** Moves the cursor forward (never back: another instance may have read further). */
export async function advance(db: Db, chainId: number, escrow: string, block: bigint): Promise<void> {
  await db
    .insert(sessionWatch)
    .values({ chainId, escrow, nextBlock: block })
    .onConflictDoUpdate({
      target: [sessionWatch.chainId, sessionWatch.escrow],
      set: { nextBlock: sql`GREATEST(${sessionWatch.nextBlock}, ${block.toString()}::bigint)`, updatedAt: sql`now()` },
    })
}
