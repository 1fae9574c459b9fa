// Starts a throwaway PostgreSQL server (Debian's binaries) for tests; null when none is installed.
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { freePort, waitFor } from './ports'

export type PostgresServer = { url: string; port: number; stop(): Promise<void>; restart(): Promise<void> }

function findBinDir(): string | null {
  if (process.env.PG_BIN && existsSync(path.join(process.env.PG_BIN, 'postgres'))) return process.env.PG_BIN
  const base = '/usr/lib/postgresql'
  if (!existsSync(base)) return null
  const versions = readdirSync(base)
    .filter((v) => existsSync(path.join(base, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] ? path.join(base, versions[0], 'bin') : null
}

// PostgreSQL refuses to run as root; as root we run it as the `postgres` system user.
function asServerUser(bin: string, args: string[]): [string, string[]] {
  const isRoot = process.getuid?.() === 0
  return isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args]
}

export function postgresInstalled(): boolean {
  return findBinDir() !== null
}

export async function startPostgres(): Promise<PostgresServer | null> {
  const binDir = findBinDir()
  if (!binDir) {
    console.warn('\n!!! PostgreSQL is not installed (apt-get install postgresql): PostgreSQL tests are SKIPPED !!!\n')
    return null
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-pg-'))
  chmodSync(dir, 0o777)
  const dataDir = path.join(dir, 'data')
  const [initCmd, initArgs] = asServerUser(path.join(binDir, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '--no-sync',
    '-E',
    'UTF8',
  ])
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' })
  if (init.status !== 0) {
    console.warn(`\n!!! PostgreSQL initdb failed: PostgreSQL tests are SKIPPED !!!\n${init.stderr}\n`)
    rmSync(dir, { recursive: true, force: true })
    return null
  }
  const port = await freePort()
  const pgCtl = (args: string[]) => {
    const [cmd, argv] = asServerUser(path.join(binDir, 'pg_ctl'), ['-D', dataDir, ...args])
    return spawnSync(cmd, argv, { encoding: 'utf8' })
  }
  const start = async () => {
    const options = `-p ${port} -h 127.0.0.1 -k ${dir} -c fsync=off -c max_connections=200`
    const started = pgCtl(['-o', options, '-l', path.join(dir, 'server.log'), '-w', 'start'])
    if (started.status !== 0) throw new Error(`pg_ctl start failed: ${started.stderr}${started.stdout}`)
    await waitFor(
      async () => {
        const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' })
        try {
          await client.connect()
          await client.query('SELECT 1')
          return true
        } finally {
          await client.end().catch(() => {})
        }
      },
      { what: 'postgres to accept connections', timeoutMs: 30_000 },
    )
  }
  // "fast" rolls back open transactions and disconnects clients, like a real crash-free restart.
  const stopServer = async () => {
    pgCtl(['-m', 'fast', '-w', 'stop'])
  }
  await start()
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    restart: async () => {
      await stopServer()
      await start()
    },
    stop: async () => {
      await stopServer()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A fresh database on the server, so test files never see each other's rows. */
export async function createDatabase(server: PostgresServer, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: server.url })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`)
  } finally {
    await client.end()
  }
  return server.url.replace(/\/postgres$/, `/${name}`)
}
