// `npm run demo`: local chain + embedded database + seeded demo links + the app, on one machine.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import * as Money from '@/lib/money'
import { openDb } from '@/lib/store/db'
import { ensureBuild, rootDir, startApp } from './app'
import { assertPortFree, PortInUseError } from './chain/anvil'
import { anvilAccount, anvilPrivateKey } from './chain/deploy'
import { anvilPortFromEnv, startLocalChain } from './chain/start'
import { seedDemo } from './seed'
import { startUpstream } from './upstream'

/** The binding secret survives restarts so challenges issued before a restart stay valid. */
function loadOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, 'mpp-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const secret = randomBytes(48).toString('base64url')
  writeFileSync(file, secret + '\n', { mode: 0o600 })
  return secret
}

async function main() {
  const dataDir = path.resolve(rootDir, process.env.DATA_DIR ?? '.data')
  mkdirSync(dataDir, { recursive: true })
  const port = Number(process.env.PORT ?? 3000)
  const publicUrl = process.env.PUBLIC_URL ?? `http://127.0.0.1:${port}`
  const secret = process.env.MPP_SECRET_KEY ?? loadOrCreateSecret(dataDir)

  try {
    await assertPortFree(port)
  } catch (error) {
    throw error instanceof PortInUseError ? new Error(`Port ${port} is taken: stop whatever uses it or run with PORT=<other port>.`) : error
  }
  ensureBuild()

  const chain = await startLocalChain({ port: anvilPortFromEnv() })
  const upstream = await startUpstream()
  const merchant = anvilAccount(0).address

  // The local chain starts empty each time, so the demo database starts fresh with it.
  const demoDbDir = path.join(dataDir, 'demo')
  rmSync(demoDbDir, { recursive: true, force: true })
  const store = await openDb({ dataDir: path.join(demoDbDir, 'db') })
  const links = await seedDemo(store.db, { merchant, upstreamUrl: upstream.url })
  await store.close()

  const app = await startApp({
    port,
    env: {
      DATA_DIR: demoDbDir,
      PUBLIC_URL: publicUrl,
      MPP_SECRET_KEY: secret,
      EVM_RPC_URL: chain.rpcUrl,
      EVM_CHAIN_ID: String(chain.chainId),
      EVM_TOKEN_ADDRESS: chain.token,
      SETTLER_PRIVATE_KEY: anvilPrivateKey(0),
      PAYMENT_RECIPIENT: merchant,
      TOLLGATE_DEMO: '1',
    },
    quiet: true,
  })

  const payer = anvilPrivateKey(1)
  console.log(`
Tollgate demo is running: ${publicUrl}

  chain      anvil ${chain.rpcUrl} (chain ${chain.chainId}), TestUSDC ${chain.token}
  merchant   ${merchant} (anvil account 0, also the settler paying gas)
  payers     anvil accounts 1..9 hold 1000 USDC each

Links:
${links.map((l) => `  ${publicUrl}/l/${l.slug}  ${l.title} (${Money.formatUsdDecimal(l.priceUsd)})`).join('\n')}
  ${publicUrl}/api/examples/joke        withPayment GET ($0.01)
  ${publicUrl}/api/examples/summarize   withPayment POST ($0.02)

Pay /l/demo from a terminal (anvil test key #1, never use it on a real chain):

  MPPX_PRIVATE_KEY=${payer} MPPX_RPC_URL=${chain.rpcUrl} \\
    npx mppx ${publicUrl}/l/demo -c mppx.config.mjs

Press Ctrl-C to stop.
`)

  const shutdown = async () => {
    await app.stop()
    await upstream.stop()
    await chain.stop()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown())
  process.on('SIGTERM', () => void shutdown())
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
