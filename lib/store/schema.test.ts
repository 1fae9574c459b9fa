import assert from 'node:assert/strict'
import { test } from 'node:test'
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core'
import { is, sql } from 'drizzle-orm'
import { openDb } from './db'
import * as schema from './schema'

test('every Drizzle table and column exists in the migrated database with the same nullability', async () => {
  const { db, close } = await openDb({ dataDir: 'memory://' })
  try {
    const tables = Object.values(schema as Record<string, unknown>).filter((v): v is PgTable => is(v, PgTable))
    assert.ok(tables.length >= 8)
    for (const table of tables) {
      const config = getTableConfig(table)
      const result = (await db.execute(
        sql`SELECT column_name, is_nullable FROM information_schema.columns WHERE table_name = ${config.name}`,
      )) as unknown as { rows: Array<{ column_name: string; is_nullable: string }> }
      const actual = new Map(result.rows.map((r) => [r.column_name, r.is_nullable === 'YES']))
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
