// The whole product for end-to-end tests: a private anvil with TestUSDC, a seeded database
// (embedded PGlite, or PostgreSQL when databaseUrl is given), the demo upstream API and one or
// more instances of the production server (server.mjs, as `npm start` runs it). Everything is stopped by PID in stop().
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Address } from 'viem'
import type { Link } from '@/lib/store/links'
import { openDb } from '@/lib/store/db'
import { ensureBuild, startApp, type RunningApp } from '@/scripts/app'
import { anvilAccount, anvilPrivateKey } from '@/scripts/chain/deploy'
import { seedDemo } from '@/scripts/seed'
import { startUpstream } from '@/scripts/upstream'
import { startTestChain, type TestChain } from './chain'
import { freePort } from './ports'

export type StackOptions = {
  /** postgres://… to share one PostgreSQL between instances; default: PGlite in a temp dir. */
  databaseUrl?: string
  /** Extra environment for the app (e.g. Stripe keys, rate limits). */
  env?: Record<string, string>
  /** Offer card payments on the demo file link. */
  stripe?: boolean
  /** Seed /l/demo-rpc too: the demo's paid gateway in front of this stack's anvil JSON-RPC. */
  demoRpc?: boolean
}

export type Stack = {
  /** Base URL of the first instance (also the PUBLIC_URL, so the MPP realm, of every instance). */
  url: string
  chain: TestChain
  apps: RunningApp[]
  links: Link[]
  merchant: Address
  env: Record<string, string>
  dataDir: string
  /** Starts another instance sharing the database and chain (PostgreSQL only), with `env` added to its environment. */
  addInstance(env?: Record<string, string>): Promise<RunningApp>
  stop(): Promise<void>
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  ensureBuild()
  const chain = await startTestChain()
  const upstream = await startUpstream()
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-stack-'))
  const merchant = anvilAccount(0).address
  const apps: RunningApp[] = []
  try {
    const store = await openDb(options.databaseUrl ? { databaseUrl: options.databaseUrl } : { dataDir: path.join(dataDir, 'db') })
    const links = await seedDemo(store.db, {
      merchant,
      upstreamUrl: upstream.url,
      stripe: options.stripe,
      ...(options.demoRpc ? { rpcUrl: chain.rpcUrl } : {}),
    })
    await store.close()

    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const env: Record<string, string> = {
      DATA_DIR: dataDir,
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      PUBLIC_URL: url,
      MPP_SECRET_KEY: randomBytes(32).toString('base64url'),
      EVM_RPC_URL: chain.rpcUrl,
      EVM_CHAIN_ID: String(chain.chainId),
      EVM_TOKEN_ADDRESS: chain.token,
      EVM_ESCROW_ADDRESS: chain.escrow,
      EVM_POLLING_INTERVAL_MS: '50',
      SETTLER_PRIVATE_KEY: anvilPrivateKey(0),
      PAYMENT_RECIPIENT: merchant,
      TOLLGATE_DEMO: '1',
      RATE_LIMIT_CHALLENGES_PER_MINUTE: '100000',
      RATE_LIMIT_CREDENTIALS_PER_MINUTE: '100000',
      RATE_LIMIT_VOUCHERS_PER_MINUTE: '100000',
      // The stack proxies to its own upstream and posts webhooks to receivers, all on 127.0.0.1.
      ALLOW_PRIVATE_UPSTREAMS: '1',
      ...options.env,
    }
    apps.push(await startApp({ port, env, quiet: true }))
    return {
      url,
      chain,
      apps,
      links,
      merchant,
      env,
      dataDir,
      addInstance: async (extra = {}) => {
        if (!options.databaseUrl) throw new Error('several instances need a shared PostgreSQL (databaseUrl)')
        const app = await startApp({ port: await freePort(), env: { ...env, ...extra }, quiet: true })
        apps.push(app)
        return app
      },
      stop: async () => {
        await Promise.all(apps.map((a) => a.stop()))
        await upstream.stop()
        await chain.stop()
        rmSync(dataDir, { recursive: true, force: true })
      },
    }
  } catch (error) {
    await Promise.all(apps.map((a) => a.stop()))
    await upstream.stop()
    await chain.stop()
    rmSync(dataDir, { recursive: true, force: true })
    throw error
  }
}
