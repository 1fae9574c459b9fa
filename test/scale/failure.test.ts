// Issue 8, failure: an instance killed between broadcast and record, RPC answers lost, the RPC down
// or slow, PostgreSQL restarted under load. Two instances on one PostgreSQL reach anvil through a
// proxy the tests break on purpose. Whatever happens, no payment is lost or taken twice: every
// transfer ends with exactly one payment row, and every payer's retry of the same credential gets the
// resource (or a pointer to its receipt), never a second charge.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { createTestClient, http } from 'viem'
import type { Account } from 'viem'
import * as Credential from '@/lib/protocol/Credential'
import * as Problem from '@/lib/protocol/Problem'
import * as EvmRail from '@/lib/rails/evm'
import { openDb } from '@/lib/store/db'
import { anvilAccount, anvilPrivateKey } from '@/scripts/chain/deploy'
import type { RunningApp } from '@/scripts/app'
import { createDatabase, postgresInstalled, startPostgres, type PostgresServer } from '@/test/support/postgres'
import { waitFor } from '@/test/support/ports'
import { type Stack, startStack } from '@/test/support/stack'
import { type ChainBooks, type DatabaseBooks, chainBooks, databaseBooks } from './internal/books'
import { mppCredential, payer, settlementKeyOf } from './internal/payers'
import { type RpcProxy, broadcastMethods, startRpcProxy } from './internal/rpc-proxy'

const skip = postgresInstalled() ? false : 'PostgreSQL is not installed (apt-get install postgresql)'
if (skip) console.warn(`\n!!! failure suite SKIPPED — ${skip} !!!\n`)

const price = 10_000n
const settler = anvilAccount(0).address
/** What reconcile waits for before it judges a record (lib/rails/evm: 60 s idle). */
const reconcileIdleMs = 61_000

type Paid = { label: string; header: { authorization: string }; key: string; account: Account }
type Outcome = { status: number; body: string; retryAfter: string | null; problem?: Problem.Body }

describe('failure: crashes, RPC and database outages never lose or double a payment', { skip }, () => {
  let server: PostgresServer | null = null
  let stack: Stack
  let rpc: RpcProxy
  let chain: ChainBooks
  let db: DatabaseBooks
  let apps: RunningApp[] = []
  const killed = new Set<number>()
  let startBlock = 0n
  let merchantStart = 0n
  /** Credentials that moved (or may have moved) money without the payer getting the resource yet. */
  const outstanding: Paid[] = []
  /** Every credential this suite used, for the final books. */
  const used: Paid[] = []

  before(async () => {
    server = await startPostgres()
    if (!server) throw new Error('PostgreSQL is installed but did not start')
    rpc = await startRpcProxy()
    stack = await startStack({
      databaseUrl: await createDatabase(server, `failure_${randomBytes(6).toString('hex')}`),
      env: { EVM_RPC_URL: rpc.url },
    })
    rpc.setUpstream(stack.chain.rpcUrl)
    await stack.addInstance()
    apps = stack.apps
    chain = chainBooks(stack.chain)
    db = databaseBooks(stack.env.DATABASE_URL!)
    startBlock = await chain.blockNumber()
    merchantStart = await chain.balanceOf(stack.merchant)
  })
  after(async () => {
    await db?.close()
    await stack?.stop()
    await rpc?.stop()
    await server?.stop()
  })

  const alive = () => apps.filter((app) => !killed.has(app.pid))
  const anvil = () => createTestClient({ mode: 'anvil', transport: http(stack.chain.rpcUrl) })

  /** A fresh credential for /l/demo from anvil account `index`, its 402 fetched from `app`. */
  async function credential(label: string, index: number, app: RunningApp = alive()[0]!): Promise<Paid> {
    const offer = await fetch(`${app.url}/l/demo`)
    assert.equal(offer.status, 402)
    const account = payer(index)
    const header = { authorization: await mppCredential(account, offer) }
    const paid = { label, header, key: settlementKeyOf(stack.chain, header), account }
    used.push(paid)
    return paid
  }

  async function submit(app: RunningApp, paid: Paid): Promise<Outcome> {
    const response = await fetch(`${app.url}/l/demo`, { headers: paid.header })
    const body = await response.text()
    const outcome: Outcome = { status: response.status, body, retryAfter: response.headers.get('retry-after') }
    if (/problem\+json/.test(response.headers.get('content-type') ?? '')) outcome.problem = JSON.parse(body) as Problem.Body
    return outcome
  }

  async function transfersFrom(paid: Paid) {
    return (await chain.transfersTo(stack.merchant, startBlock)).filter((t) => t.from === paid.account.address)
  }

  test('kill -9 between broadcast and record: the retry is told to wait, never charged twice', async () => {
    const victim = apps[0]!
    const survivor = apps[1]!
    const paid = await credential('killed after broadcast', 1, survivor)
    const before = await transfersFrom(paid)
    const pendingBefore = await chain.nonceOf(settler, 'pending')

    // Hold the settlement in the mempool so the instance is provably between broadcast and record.
    await anvil().setAutomine(false)
    let request: Promise<unknown> | undefined
    try {
      request = fetch(`${victim.url}/l/demo`, { headers: paid.header }).then(
        (r) => r.status,
        (error: unknown) => error,
      )
      await waitFor(async () => ((await chain.nonceOf(settler, 'pending')) > pendingBefore ? true : undefined), {
        timeoutMs: 60_000,
        intervalMs: 20,
        what: 'the instance to broadcast the settlement',
      })
      assert.equal((await db.settlement(paid.key))?.status, 'submitted', 'the transaction hash was recorded before the broadcast')
      process.kill(victim.pid, 'SIGKILL')
      killed.add(victim.pid)
      assert.ok((await request) instanceof Error, 'the killed instance never answered')
      await anvil().mine({ blocks: 1 })
    } finally {
      await anvil().setAutomine(true)
    }

    const transfers = await transfersFrom(paid)
    assert.equal(transfers.length - before.length, 1, 'the broadcast transaction was mined after the crash')
    assert.equal((await db.settlement(paid.key))?.txHash?.toLowerCase(), transfers.at(-1)!.transactionHash.toLowerCase())
    assert.equal((await db.paymentFor(paid.key)).length, 0, 'nothing was recorded: the instance died first')

    const retry = await submit(survivor, paid)
    assert.equal(retry.status, 402, retry.body)
    assert.equal(retry.problem?.type, `${Problem.baseUri}invalid-challenge`)
    assert.match(retry.problem?.detail ?? '', /still settling|retry/i, 'the refusal tells the payer to come back, not to pay again')
    assert.ok(Number(retry.retryAfter) > 0, 'with a Retry-After')
    assert.equal((await transfersFrom(paid)).length, transfers.length, 'the retry moved nothing')
    outstanding.push(paid)
  })

  test('settled on chain and in its record, but the payment row never written (the request lost the database in between): left for the periodic recorder', async () => {
    // This test process plays the instance: its rail settles with the gate's sale facts, then it "dies".
    const app = alive()[0]!
    const paid = await credential('settled, never recorded', 4, app)
    const { challenge, payload } = Credential.deserialize(paid.header.authorization)
    const demo = stack.links.find((link) => link.slug === 'demo')!
    const handle = await openDb({ databaseUrl: stack.env.DATABASE_URL! })
    try {
      const config = EvmRail.createEvmConfig({
        rpcUrl: stack.chain.rpcUrl,
        chainId: stack.chain.chainId,
        tokenAddress: stack.chain.token,
        settlerPrivateKey: anvilPrivateKey(0),
        pollingIntervalMs: 50,
      })
      const sale = { key: `link:${demo.id}`, priceUsd: demo.priceUsd, linkId: demo.id, merchantId: demo.merchantId }
      await EvmRail.createEvmRail(config, handle.db).settleMppCredential({ challenge, payload, keep: { sale } })
    } finally {
      await handle.close()
    }
    assert.equal((await db.settlement(paid.key))?.status, 'settled')
    assert.equal((await transfersFrom(paid)).length, 1)
    assert.equal((await db.paymentFor(paid.key)).length, 0)
    outstanding.push(paid)
  })

  test('the node accepts a broadcast but its answer is lost: the instance asks the node, settles once and delivers', async () => {
    const app = alive()[0]!
    const paid = await credential('answer lost', 2, app)
    const pendingBefore = await chain.nonceOf(settler, 'pending')
    rpc.setMode({ kind: 'lose-answer', method: broadcastMethods, times: 1 })
    let outcome: Outcome
    try {
      outcome = await submit(app, paid)
    } finally {
      rpc.setMode({ kind: 'pass' })
    }
    assert.equal(outcome.status, 200, outcome.body)
    assert.equal((await transfersFrom(paid)).length, 1, 'one transfer')
    assert.equal((await chain.nonceOf(settler, 'pending')) - pendingBefore, 1, 'the settler did not sign a second transaction')
    assert.equal((await db.paymentFor(paid.key)).length, 1, 'the 200 has its payment row')
  })

  test('the RPC goes down right after taking the broadcast: a clear 503, the record waits for the chain, no payment without its transfer', async () => {
    const app = alive()[0]!
    const paid = await credential('rpc cut after broadcast', 3, app)
    rpc.setMode({ kind: 'cut-after', method: broadcastMethods })
    let outcome: Outcome
    try {
      outcome = await submit(app, paid)
    } finally {
      rpc.setMode({ kind: 'pass' })
    }
    assert.equal(outcome.status, 503, outcome.body)
    assert.ok(Number(outcome.retryAfter) > 0)
    assert.match(outcome.problem?.detail ?? '', /unavailable|not confirmed/i)
    assert.equal((await transfersFrom(paid)).length, 1, 'the transaction reached the chain')
    const settlement = await db.settlement(paid.key)
    assert.equal(settlement?.status, 'submitted', 'left for reconcile, not failed')
    assert.equal((await db.paymentFor(paid.key)).length, 0)
    outstanding.push(paid)
  })

  test('PostgreSQL restarts under load: every 200 has one payment row and one transfer, the rest is finished by retry', async () => {
    const payments = 32
    const credentials: Paid[] = []
    for (let i = 0; i < payments; i++) credentials.push(await credential(`db restart ${i}`, 1 + (i % 9), alive()[i % alive().length]!))
    let next = 0
    let inFlight = 0
    const outcomes = new Map<Paid, Outcome | Error>()
    const load = Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = next++; i < payments; i = next++) {
          const app = alive()[i % alive().length]!
          inFlight++
          outcomes.set(credentials[i]!, await submit(app, credentials[i]!).catch((error: Error) => error))
          inFlight--
        }
      }),
    )
    // Restart once the load is under way, with payments in flight.
    await waitFor(async () => (outcomes.size >= 3 ? true : undefined), { timeoutMs: 60_000, intervalMs: 5, what: 'the first payments' })
    const interrupted = inFlight
    await server!.restart()
    await load
    assert.ok(interrupted > 0, 'payments were in flight when the database went down')

    const tally = new Map<string, number>()
    for (const paid of credentials) {
      const outcome = outcomes.get(paid)!
      const status = outcome instanceof Error ? 'network error' : String(outcome.status)
      tally.set(status, (tally.get(status) ?? 0) + 1)
      const transfers = await transfersFrom(paid)
      const rows = await db.paymentFor(paid.key)
      if (!(outcome instanceof Error) && outcome.status === 200) {
        assert.equal(rows.length, 1, `${paid.label}: a 200 has exactly one payment row`)
        assert.equal(transfers.filter((t) => t.transactionHash === rows[0]!.reference).length, 1, `${paid.label}: and exactly one transfer`)
      } else {
        assert.ok(rows.length <= 1, `${paid.label}: never two payment rows`)
        outstanding.push(paid)
      }
    }
    console.log(
      `# database restart under load (${interrupted} in flight): ${[...tally].map(([status, count]) => `${count} x ${status}`).join(', ')}`,
    )
    assert.ok((tally.get('200') ?? 0) > 0, 'payments went through around the restart')
    for (const status of tally.keys()) assert.ok(['200', '402', '503'].includes(status), `no answer other than 200/402/503, got ${status}`)
  })

  test('RPC down: unpaid requests still get 402 quickly; paid requests get a 503 problem and nothing is recorded; paid again once it is back', async () => {
    const app = alive()[0]!
    const paid = await credential('rpc down', 1, app)
    rpc.setMode({ kind: 'down' })
    try {
      for (const instance of alive()) {
        const started = Date.now()
        const response = await fetch(`${instance.url}/l/demo`)
        await response.body?.cancel()
        assert.equal(response.status, 402)
        assert.ok(Date.now() - started < 3_000, `402 in ${Date.now() - started} ms with the RPC down`)
      }
      const started = Date.now()
      const outcome = await submit(app, paid)
      assert.equal(outcome.status, 503, outcome.body)
      assert.ok(Date.now() - started < 15_000, `the 503 came after ${Date.now() - started} ms`)
      assert.equal(outcome.problem?.title, 'Payment network unavailable')
      assert.ok(Number(outcome.retryAfter) > 0)
      assert.equal(await db.settlement(paid.key), null, 'nothing was claimed')
      assert.equal((await db.paymentFor(paid.key)).length, 0)
    } finally {
      rpc.setMode({ kind: 'pass' })
    }
    const retry = await submit(app, paid)
    assert.equal(retry.status, 200, retry.body)
    assert.equal((await transfersFrom(paid)).filter((t) => t.value === price).length >= 1, true)
    assert.equal((await db.paymentFor(paid.key)).length, 1)
  })

  test('RPC slow (answers after 12 s): unpaid requests still get 402 quickly; paid requests get a 503 problem, nothing recorded; paid once it is fast again', async () => {
    const app = alive()[0]!
    const paid = await credential('rpc slow', 2, app)
    rpc.setMode({ kind: 'slow', delayMs: 12_000 })
    try {
      const started = Date.now()
      const response = await fetch(`${app.url}/l/demo`)
      await response.body?.cancel()
      assert.equal(response.status, 402)
      assert.ok(Date.now() - started < 3_000, `402 in ${Date.now() - started} ms with a slow RPC`)
      const outcome = await submit(app, paid)
      assert.equal(outcome.status, 503, outcome.body)
      assert.ok(Number(outcome.retryAfter) > 0)
      assert.equal(await db.settlement(paid.key), null, 'nothing was claimed')
    } finally {
      rpc.setMode({ kind: 'pass' })
    }
    const retry = await submit(app, paid)
    assert.equal(retry.status, 200, retry.body)
    assert.equal((await db.paymentFor(paid.key)).length, 1)
  })

  test('after a restart and reconciliation every outstanding payer gets the resource by retrying, and the books balance', async () => {
    // Reconcile judges records idle for a minute; restart the killed instance once they all are.
    const unfinished = await db.settlements(['claimed', 'submitted'])
    const newest = Math.max(0, ...unfinished.map((s) => s.updatedAt.getTime()))
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, newest + reconcileIdleMs - Date.now())))
    const restarted = await stack.addInstance()
    // Its first request starts the gate, which reconciles at once.
    await (await fetch(`${restarted.url}/l/demo`)).body?.cancel()

    // Reconciliation alone completes the books: every transfer gets its payment row, before any payer returns.
    const unrecorded = async () => {
      const recorded = new Set((await db.payments()).map((p) => p.reference.toLowerCase()))
      return (await chain.transfersTo(stack.merchant, startBlock)).filter((t) => !recorded.has(t.transactionHash.toLowerCase()))
    }
    await waitFor(async () => ((await unrecorded()).length === 0 ? true : undefined), {
      timeoutMs: 90_000,
      intervalMs: 500,
      what: 'reconcile to record every transfer',
    })

    const deadline = Date.now() + 150_000
    for (const paid of outstanding) {
      for (let attempt = 0; ; attempt++) {
        const app = alive()[attempt % alive().length]!
        const outcome = await submit(app, paid)
        if (outcome.status === 200) break
        if (outcome.status === 402 && /receipts\/pay_/.test(outcome.problem?.detail ?? '')) break
        assert.ok(
          outcome.status === 503 || (outcome.status === 402 && Number(outcome.retryAfter) > 0),
          `${paid.label}: ${outcome.status} ${outcome.body}`,
        )
        assert.ok(Date.now() < deadline, `${paid.label} still not delivered: ${outcome.body}`)
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, Number(outcome.retryAfter ?? 2) * 1000)))
      }
      const rows = await db.paymentFor(paid.key)
      assert.equal(rows.length, 1, `${paid.label}: one payment row`)
      assert.equal(
        (await transfersFrom(paid)).filter((t) => t.transactionHash === rows[0]!.reference).length,
        1,
        `${paid.label}: its transfer`,
      )
      // And once more: the receipt, not a second delivery or charge.
      const again = await submit(alive()[0]!, paid)
      if (again.status !== 200) assert.match(again.problem?.detail ?? '', /receipts\/pay_/, `${paid.label}: ${again.body}`)
    }

    // The books: every transfer to the merchant is exactly one payment row, and nothing else moved.
    const transfers = await chain.transfersTo(stack.merchant, startBlock)
    const payments = await db.payments()
    assert.equal(payments.length, transfers.length, 'as many payment rows as transfers')
    assert.deepEqual(
      new Set(payments.map((p) => p.reference.toLowerCase())),
      new Set(transfers.map((t) => t.transactionHash.toLowerCase())),
    )
    assert.equal(new Set(payments.map((p) => p.settlementKey)).size, payments.length)
    assert.equal(await chain.balanceOf(stack.merchant), merchantStart + BigInt(payments.length) * price)
    for (const account of new Set(used.map((p) => p.account.address))) {
      const paidBy = payments.filter((p) => p.payer?.toLowerCase() === account.toLowerCase()).length
      assert.equal(transfers.filter((t) => t.from === account).length, paidBy, `${account} paid once per payment row`)
    }
    assert.deepEqual(await db.settlements(['claimed', 'submitted']), [], 'nothing left half-done')
    console.log(
      `# failure suite books: ${payments.length} payments = ${transfers.length} transfers for ${used.length} credentials (${outstanding.length} finished by retry)`,
    )
  })
})
