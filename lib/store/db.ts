// One schema, two drivers: embedded PGlite by default, PostgreSQL when DATABASE_URL is set.
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { migrations } from './migrations'
import * as schema from './schema'

export type Schema = typeof schema
export type Db = PgDatabase<PgQueryResultHKT, Schema>
export type DbHandle = { db: Db; driver: 'pglite' | 'postgres'; close(): Promise<void> }

export type OpenDbOptions = {
  /** postgres://… — when set, PostgreSQL is used and dataDir is ignored. */
  databaseUrl?: string
  /** PGlite directory, or 'memory://' for a throwaway in-memory database. */
  dataDir?: string
  /** Pool size for PostgreSQL. */
  maxConnections?: number
}

// Any constant works; it only has to be the same for every instance sharing a database.
const MIGRATION_LOCK_ID = 402_402_402

export async function openDb(options: OpenDbOptions = {}): Promise<DbHandle> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.maxConnections ?? 10 })
    // An idle client losing its server (restart, failover) must not crash the process.
    pool.on('error', () => {})
    await migratePostgres(pool)
    const db = withDriver(drizzlePg({ client: pool, schema }) as unknown as Db, 'postgres')
    return { db, driver: 'postgres', close: () => pool.end() }
  }
  const dataDir = options.dataDir ?? defaultDataDir()
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true })
  const client = new PGlite(dataDir)
  await client.transaction(async (tx) => {
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`)
    const applied = new Set((await tx.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version))
    for (const m of migrations) {
      if (applied.has(m.version)) continue
      await tx.exec(m.sql)
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version])
    }
  })
  const db = withDriver(drizzlePglite({ client, schema }) as unknown as Db, 'pglite')
  return { db, driver: 'pglite', close: () => client.close() }
}

const driverKey = '__tollgateDriver'

// Kept on the object itself: route bundles may each load their own copy of drizzle's classes, so
// `instanceof` cannot tell which driver a shared handle uses.
function withDriver(db: Db, driver: DbHandle['driver']): Db {
  Object.defineProperty(db, driverKey, { value: driver, enumerable: false })
  return db
}

/** Which driver a handle opened by openDb uses ('pglite' serves one process; 'postgres' may be shared). */
export function driverOf(db: Db): DbHandle['driver'] | undefined {
  return (db as unknown as Record<string, DbHandle['driver'] | undefined>)[driverKey]
}

async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    // Several instances may start at once: one migrates, the others wait and then see it done.
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID])
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    )
    const applied = new Set((await client.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version))
    for (const m of migrations) {
      if (applied.has(m.version)) continue
      await client.query(m.sql)
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version])
    }
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    client.release()
  }
}

// Connection-level failures (SQLSTATE class 08, server shutting down or starting, too many clients)
// and the socket errors and pg messages that mean the same: the database may be back in a moment.
const unavailableStates = /^(08...|57P01|57P02|57P03|53300)$/
const unavailableErrnos = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH'])
const unavailableMessages =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended|the database system is (starting up|shutting down)/i

/** True when `error` (or one of its causes) says the database could not be reached or dropped the connection. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown }
    if (typeof code === 'string' && (unavailableStates.test(code) || unavailableErrnos.has(code))) return true
    if (typeof message === 'string' && unavailableMessages.test(message)) return true
  }
  return false
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.DATA_DIR ?? '.data', 'db')
}

// Next.js may evaluate this module more than once per process (route bundles); share one handle.
const globalStore = globalThis as unknown as { __tollgateDb?: Promise<DbHandle> }

export function getDbHandle(): Promise<DbHandle> {
  globalStore.__tollgateDb ??= openDb({ databaseUrl: process.env.DATABASE_URL || undefined }).catch((error) => {
    globalStore.__tollgateDb = undefined
    throw error
  })
  return globalStore.__tollgateDb
}

export async function getDb(): Promise<Db> {
  return (await getDbHandle()).db
}
