// `npx tsx scripts/bench/issue-402.ts [--seconds=5]`: the gate's own cost of one unpaid 402 for /l/demo,
// without Next.js or HTTP: handleLinkRequest in a loop against a seeded embedded database, in this
// process (add `node --cpu-prof --import tsx` to see where it goes). No chain is contacted for a 402.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const args = process.argv.slice(2)
const seconds = Number(args.find((a) => a.startsWith('--seconds='))?.slice('--seconds='.length) ?? '5')

async function main() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-issue-402-'))
  const merchant = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
  Object.assign(process.env, {
    DATA_DIR: dataDir,
    PUBLIC_URL: 'http://127.0.0.1:3000',
    MPP_SECRET_KEY: randomBytes(32).toString('base64url'),
    // Never called for a 402: the rail only needs to exist to price the offer.
    EVM_RPC_URL: 'http://127.0.0.1:9',
    EVM_CHAIN_ID: '31337',
    EVM_TOKEN_ADDRESS: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    EVM_TOKEN_NAME: 'USD Coin',
    EVM_TOKEN_VERSION: '2',
    EVM_TOKEN_DECIMALS: '6',
    SETTLER_PRIVATE_KEY: `0x${'11'.repeat(32)}`,
    PAYMENT_RECIPIENT: merchant,
    RATE_LIMIT_CHALLENGES_PER_MINUTE: '1000000000',
  })
  const { getGate } = await import('@/lib/gate/runtime')
  const { handleLinkRequest } = await import('@/lib/gate/link-request')
  const { seedDemo } = await import('@/scripts/seed')
  const gate = await getGate()
  await seedDemo(gate.db, { merchant, upstreamUrl: 'http://127.0.0.1:9' })
  const issue = async () => {
    const response = await handleLinkRequest(
      new Request('http://127.0.0.1:3000/l/demo', { headers: { accept: 'application/json' } }),
      'demo',
    )
    if (response.status !== 402) throw new Error(`expected 402, got ${response.status}`)
    await response.arrayBuffer()
  }
  for (let i = 0; i < 2_000; i++) await issue()
  let count = 0
  const started = performance.now()
  while (performance.now() - started < seconds * 1000) {
    for (let i = 0; i < 100; i++) await issue()
    count += 100
  }
  const elapsedMs = performance.now() - started
  console.log(
    `${count} unpaid 402s in ${(elapsedMs / 1000).toFixed(1)} s: ${((1000 * elapsedMs) / count).toFixed(1)} µs each (${Math.round((count * 1000) / elapsedMs)} /s on one thread)`,
  )
  rmSync(dataDir, { recursive: true, force: true })
  process.exit(0)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
