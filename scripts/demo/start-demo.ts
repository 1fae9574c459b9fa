// The whole demo as one call: local chain, fresh embedded database with the demo links, the upstream
// API and the app, then a little real history. `npm run demo` prints it; the demo's browser spec
// starts it on free ports. stop() stops exactly what it started.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Address } from 'viem'
import { demoTerminalCommands, type TerminalCommand } from '@/lib/demo/terminal-commands'
import type { Link } from '@/lib/store/links'
import { openDb } from '@/lib/store/db'
import { ensureBuild, rootDir, startApp, type RunningApp } from '../app'
import { anvilAccount, anvilPrivateKey } from '../chain/deploy'
import { type LocalChain, startLocalChain } from '../chain/start'
import { seedDemo } from '../seed'
import { startUpstream } from '../upstream'
import { type DemoHistory, seedHistory } from './seed-history'
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver'

export type DemoOptions = {
  /** The app's port (the demo's default is 3000). */
  port: number
  /** anvil's port; 0 picks a free one. */
  anvilPort: number
  /** Holds the binding secret and, under demo/, this run's database (recreated every run). */
  dataDir?: string
  publicUrl?: string
  /** MPP_SECRET_KEY; default: generated once into <dataDir>/mpp-secret. */
  secret?: string
  /** Progress lines while it starts. */
  log?: (line: string) => void
}

export type Demo = {
  url: string
  chain: LocalChain
  merchant: Address
  links: Link[]
  history: DemoHistory
  receiver: WebhookReceiver
  app: RunningApp
  /** The terminal commands that pay the demo (also on the home page). */
  commands: TerminalCommand[]
  stop(): Promise<void>
}

/** The binding secret survives restarts so challenges issued before a restart stay valid. */
function loadOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, 'mpp-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const secret = randomBytes(48).toString('base64url')
  writeFileSync(file, secret + '\n', { mode: 0o600 })
  return secret
}

export async function startDemo(options: DemoOptions): Promise<Demo> {
  const log = options.log ?? (() => {})
  const dataDir = path.resolve(rootDir, options.dataDir ?? '.data')
  mkdirSync(dataDir, { recursive: true })
  const publicUrl = options.publicUrl ?? `http://127.0.0.1:${options.port}`
  const secret = options.secret ?? loadOrCreateSecret(dataDir)
  ensureBuild()

  const stops: Array<() => Promise<void>> = []
  const stop = async () => {
    for (const stopOne of stops.reverse()) await stopOne().catch(() => {})
  }
  try {
    log('Starting the local chain (anvil) and deploying TestUSDC and the session escrow…')
    const chain = await startLocalChain({ port: options.anvilPort })
    stops.push(chain.stop)
    const upstream = await startUpstream()
    stops.push(upstream.stop)
    const receiver = await startWebhookReceiver()
    stops.push(receiver.stop)
    const merchant = anvilAccount(0).address

    // The local chain starts empty each time, so the demo database starts fresh with it.
    const demoDbDir = path.join(dataDir, 'demo')
    rmSync(demoDbDir, { recursive: true, force: true })
    const store = await openDb({ dataDir: path.join(demoDbDir, 'db') })
    const links = await seedDemo(store.db, { merchant, upstreamUrl: upstream.url, rpcUrl: chain.rpcUrl })
    await store.close()

    log('Starting the app…')
    const app = await startApp({
      port: options.port,
      env: {
        DATA_DIR: demoDbDir,
        PUBLIC_URL: publicUrl,
        MPP_SECRET_KEY: secret,
        EVM_RPC_URL: chain.rpcUrl,
        EVM_CHAIN_ID: String(chain.chainId),
        EVM_TOKEN_ADDRESS: chain.token,
        EVM_ESCROW_ADDRESS: chain.escrow,
        // anvil mines each transaction at once; there is no reason to wait a second between receipt polls.
        EVM_POLLING_INTERVAL_MS: '100',
        SETTLER_PRIVATE_KEY: anvilPrivateKey(0),
        PAYMENT_RECIPIENT: merchant,
        TOLLGATE_DEMO: '1',
        // The demo's upstream API and webhook receiver listen on 127.0.0.1.
        ALLOW_PRIVATE_UPSTREAMS: '1',
      },
      quiet: true,
    })
    stops.push(() => app.stop())

    log('Paying the demo links from anvil test accounts (mppx and @x402/fetch)…')
    const history = await seedHistory({ url: app.url, chain, merchantKey: anvilPrivateKey(0), receiver })
    return {
      url: publicUrl,
      chain,
      merchant,
      links,
      history,
      receiver,
      app,
      commands: demoTerminalCommands({ publicUrl, tokenAddress: chain.token, rpcUrl: chain.rpcUrl }),
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
