// Mutual exclusion between every process sharing one database: PostgreSQL advisory locks, held for
// one transaction, so a crashed instance's lock goes away with its connection.
import { sql } from 'drizzle-orm'
import { type Db, driverOf } from './db'

/** First half of the two-key advisory lock space, so our names never meet another tool's locks. */
const LOCK_NAMESPACE = 402

/** True when withLock excludes other processes too (PostgreSQL); on the embedded database it only runs the task. */
export function spansProcesses(db: Db): boolean {
  return driverOf(db) === 'postgres'
}

/**
 * Runs `task` while no other process holding the lock `name` runs. The task must not write through a
 * transaction of its own on `db` expecting the lock's connection: it runs beside it, not inside it.
 * Embedded PGlite serves one process only (and queues every query behind an open transaction), so
 * there the task simply runs: callers keep their own in-process exclusion.
 */
export async function withLock<T>(db: Db, name: string, task: () => Promise<T>): Promise<T> {
  // Only a PostgreSQL handle is locked: waiting on PGlite's open transaction would deadlock the task.
  if (!spansProcesses(db)) return task()
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext(${name}))`)
    return task()
  })
}
