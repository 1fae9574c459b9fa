import assert from 'node:assert/strict'
import { test } from 'node:test'
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core'
import { sql } from 'drizzle-orm'
import { openDb } from './db'
import * as schema from './schema'

test('every Drizzle table and column exists in the migrated database with the same nullability', async () => {
  const { db, close } = await openDb({ dataDir: 'memory://' })
  try {
    const tables = Object.values(schema).filter((v): v is PgTable => typeof v === 'object' && v !== null && Symbol.for('drizzle:IsDrizzleTable') in v)
    assert.ok(tables.length >= 8)
    for (const table of tables) {
      const config = getTableConfig(table)
      const rows = await db.execute<{ column_name: string; is_nullable: string }>(
        sql`SELECT column_name, is_nullable FROM information_schema.columns WHERE table_name = ${config.name}`,
      )
      const actual = new Map(rows.rows.map((r) => [r.column_name, r.is_nullable === 'YES']))
      assert.equal(actual.size, config.columns.length, `${config.name}: column count differs from the migration`)
      for (const column of config.columns) {
        assert.ok(actual.has(column.name), `${config.name}.${column.name} missing from the migration`)
        assert.equal(actual.get(column.name), !column.notNull, `${config.name}.${column.name} nullability differs`)
      }
    }
  } finally {
    await close()
  }
})
