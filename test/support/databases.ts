// Runs a suite against every database Tollgate supports: embedded PGlite and a real PostgreSQL.
import { randomBytes } from 'node:crypto'
import { after, before, describe } from 'node:test'
import { openDb, type DbHandle } from '@/lib/store/db'
import { createDatabase, postgresInstalled, startPostgres, type PostgresServer } from './postgres'

export type DatabaseFactory = { name: 'pglite' | 'postgres'; open(): Promise<DbHandle> }

export function describeEachDatabase(title: string, suite: (factory: DatabaseFactory) => void): void {
  describe(`${title} [pglite]`, () => suite({ name: 'pglite', open: () => openDb({ dataDir: 'memory://' }) }))

  let server: PostgresServer | null = null
  const skip = postgresInstalled() ? false : 'PostgreSQL is not installed (apt-get install postgresql)'
  if (skip) console.warn(`\n!!! ${title}: PostgreSQL suite SKIPPED — ${skip} !!!\n`)
  describe(`${title} [postgres]`, { skip }, () => {
    before(async () => {
      server = await startPostgres()
    })
    after(async () => {
      await server?.stop()
    })
    suite({
      name: 'postgres',
      open: async () => {
        if (!server) throw new Error('PostgreSQL did not start')
        const url = await createDatabase(server, `t_${randomBytes(6).toString('hex')}`)
        return openDb({ databaseUrl: url })
      },
    })
  })
}
