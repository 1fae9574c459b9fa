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
    const db = drizzlePg({ client: pool, schema }) as unknown as Db
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
  const db = drizzlePglite({ client, schema }) as unknown as Db
  return { db, driver: 'pglite', close: () => client.close() }
}

async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    // Several instances may start at once: one migrates, the others wait and then see it done.
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID])
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`)
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
