// Issue 8, scale-out: two `next start` instances on one PostgreSQL, one RPC endpoint and one shared
// settler key. 50 concurrent submissions of one credential settle once; 200 distinct payments from
// 10 concurrent clients are each recorded once, with balances exact to the base unit.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import type { Address } from 'viem'
import * as Receipt from '@/lib/protocol/Receipt'
import { anvilAccount } from '@/scripts/chain/deploy'
import { createDatabase, postgresInstalled, startPostgres, type PostgresServer } from '@/test/support/postgres'
import { type Stack, startStack } from '@/test/support/stack'
import { type ChainBooks, type DatabaseBooks, chainBooks, databaseBooks } from './internal/books'
import { mppCredential, payer, settlementKeyOf, x402Signature } from './internal/payers'
import { type RpcProxy, isBroadcast, startRpcProxy } from './internal/rpc-proxy'

const skip = postgresInstalled() ? false : 'PostgreSQL is not installed (apt-get install postgresql)'
if (skip) console.warn(`\n!!! scale-out suite SKIPPED — ${skip} !!!\n`)

/** /l/demo costs $0.01: 10000 base units of TestUSDC. */
const price = 10_000n
const settler = anvilAccount(0).address
const submissions = 50
const distinctPayments = Number(process.env.SCALE_PAYMENTS ?? 200)
const clients = 10

describe('scale-out: two instances, one PostgreSQL, one RPC, one settler key', { skip }, () => {
  let server: PostgresServer | null = null
  let stack: Stack
  let rpc: RpcProxy
  let chain: ChainBooks
  let db: DatabaseBooks
  let instances: string[] = []

  before(async () => {
    server = await startPostgres()
    if (!server) throw new Error('PostgreSQL is installed but did not start')
    // The instances reach anvil through a pass-through proxy that counts their broadcasts.
    rpc = await startRpcProxy()
    stack = await startStack({
      databaseUrl: await createDatabase(server, `scale_${randomBytes(6).toString('hex')}`),
      env: { EVM_RPC_URL: rpc.url },
    })
    rpc.setUpstream(stack.chain.rpcUrl)
    instances = [stack.url, (await stack.addInstance()).url]
    chain = chainBooks(stack.chain)
    db = databaseBooks(stack.env.DATABASE_URL!)
  })
  after(async () => {
    await db?.close()
    await stack?.stop()
    await rpc?.stop()
    await server?.stop()
  })

  async function challenge(instance: number): Promise<Response> {
    const response = await fetch(`${instances[instance % instances.length]}/l/demo`)
    assert.equal(response.status, 402)
    return response
  }

  for (const protocol of ['mpp', 'x402'] as const) {
    test(`${submissions} concurrent submissions of one ${protocol} credential across both instances: one 200, one transfer, one payment`, async () => {
      const account = payer(protocol === 'mpp' ? 1 : 2)
      const offer = await challenge(0)
      const header: { authorization: string } | { 'payment-signature': string } =
        protocol === 'mpp'
          ? { authorization: await mppCredential(account, offer) }
          : { 'payment-signature': await x402Signature(account, stack.chain, offer) }
      const fromBlock = (await chain.blockNumber()) + 1n
      const merchantBefore = await chain.balanceOf(stack.merchant)
      const payerBefore = await chain.balanceOf(account.address)

      const responses = await Promise.all(
        Array.from({ length: submissions }, (_, i) =>
          fetch(`${instances[i % 2]}/l/demo`, { headers: header }).then(async (r) => ({ status: r.status, body: await r.text() })),
        ),
      )
      const statuses = responses.map((r) => r.status)
      assert.equal(statuses.filter((s) => s === 200).length, 1, `statuses: ${statuses.join(',')}`)
      assert.deepEqual([...new Set(statuses)].sort(), [200, 402], 'every other submission is refused as a payment problem, none fails')
      assert.ok(JSON.parse(responses.find((r) => r.status === 200)!.body).fortune, 'the one 200 carries the resource')

      const transfers = (await chain.transfersTo(stack.merchant, fromBlock)).filter((t) => t.from === account.address)
      assert.equal(transfers.length, 1, 'exactly one on-chain transfer')
      assert.equal(transfers[0]!.value, price)
      assert.equal(await chain.balanceOf(stack.merchant), merchantBefore + price)
      assert.equal(await chain.balanceOf(account.address), payerBefore - price)
      const rows = await db.paymentFor(settlementKeyOf(stack.chain, header))
      assert.equal(rows.length, 1, 'exactly one payment row')
      assert.equal(rows[0]!.reference, transfers[0]!.transactionHash)
    })
  }

  test(`${distinctPayments} distinct payments from ${clients} concurrent clients across both instances: all recorded once, balances exact`, async () => {
    const payers = Array.from({ length: 9 }, (_, i) => payer(i + 1))
    const paymentsBefore = (await db.payments()).length
    const merchantBefore = await chain.balanceOf(stack.merchant)
    const payerBefore = new Map<Address, bigint>()
    for (const account of payers) payerBefore.set(account.address, await chain.balanceOf(account.address))
    const settlerNonceBefore = await chain.nonceOf(settler)
    const broadcastsBefore = rpc.calls().filter(isBroadcast).length
    const fromBlock = (await chain.blockNumber()) + 1n

    // Each payment: the 402 from one instance, the credential paid at the other.
    const paid: Array<{ account: Address; key: string; status: number; reference: string | null; instance: number }> = []
    let next = 0
    const started = Date.now()
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        for (let n = next++; n < distinctPayments; n = next++) {
          const account = payers[(client + n) % payers.length]!
          const header = { authorization: await mppCredential(account, await challenge(n)) }
          const response = await fetch(`${instances[(n + 1) % 2]}/l/demo`, { headers: header })
          const text = await response.text()
          assert.equal(response.status, 200, `payment ${n} at instance ${(n + 1) % 2}: ${text.slice(0, 600)}`)
          const receipt = Receipt.deserialize(response.headers.get('payment-receipt')!)
          paid.push({
            account: account.address,
            key: settlementKeyOf(stack.chain, header),
            status: response.status,
            reference: receipt.reference,
            instance: (n + 1) % 2,
          })
        }
      }),
    )
    const seconds = (Date.now() - started) / 1000
    console.log(
      `# ${distinctPayments} paid requests in ${seconds.toFixed(1)} s (${(distinctPayments / seconds).toFixed(1)}/s) across ${instances.length} instances`,
    )
    assert.equal(paid.length, distinctPayments)
    assert.deepEqual(
      [0, 1].map((i) => paid.filter((p) => p.instance === i).length),
      [distinctPayments / 2, distinctPayments / 2],
      'both instances settled half',
    )

    // The database: exactly one payment per settlement, nothing else.
    const payments = await db.payments()
    assert.equal(payments.length - paymentsBefore, distinctPayments, 'one payment row per paid request')
    for (const p of paid) {
      const rows = payments.filter((row) => row.settlementKey === p.key)
      assert.equal(rows.length, 1, `one payment row for ${p.key}`)
      assert.equal(rows[0]!.reference, p.reference, 'the receipt names the recorded transaction')
      assert.equal(rows[0]!.amount, price.toString())
      assert.equal(rows[0]!.delivery, 'delivered')
    }

    // The chain: one transfer per payment, in its own transaction, and balances exact.
    const transfers = await chain.transfersTo(stack.merchant, fromBlock)
    const references = new Set(paid.map((p) => p.reference!.toLowerCase()))
    const unexpected = transfers.filter((t) => !references.has(t.transactionHash.toLowerCase()))
    if (unexpected.length > 0) {
      const rows = await db.paymentsByReference(unexpected.map((t) => t.transactionHash.toLowerCase()))
      const settled = await db.settlementsByTxHash(unexpected.map((t) => t.transactionHash.toLowerCase()))
      console.log(`# unexpected transfers: ${JSON.stringify(unexpected, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`)
      console.log(
        `# their payment rows: ${JSON.stringify(rows)}; their settlements: ${JSON.stringify(settled)}; distinct receipt references: ${references.size}`,
      )
    }
    assert.deepEqual(unexpected, [], 'no transfer other than the 200 payments')
    assert.equal(transfers.length, distinctPayments, 'one Transfer per payment')
    assert.equal(new Set(transfers.map((t) => t.transactionHash)).size, distinctPayments, 'each in its own transaction')
    assert.deepEqual(new Set(transfers.map((t) => t.transactionHash.toLowerCase())), new Set(paid.map((p) => p.reference!.toLowerCase())))
    assert.ok(transfers.every((t) => t.value === price))
    assert.equal(
      await chain.balanceOf(stack.merchant),
      merchantBefore + BigInt(distinctPayments) * price,
      'the recipient got exactly 200 x price',
    )
    for (const account of payers) {
      const count = BigInt(paid.filter((p) => p.account === account.address).length)
      assert.equal(
        await chain.balanceOf(account.address),
        payerBefore.get(account.address)! - count * price,
        `payer ${account.address} paid exactly ${count} x price`,
      )
    }

    // The shared settler key: every broadcast that lost a nonce race was re-signed, none was wasted.
    const settlerTransactions = (await chain.nonceOf(settler)) - settlerNonceBefore
    const broadcasts = rpc.calls().filter(isBroadcast).length - broadcastsBefore
    console.log(
      `# settler: ${settlerTransactions} transactions from ${broadcasts} broadcasts (${broadcasts - settlerTransactions} nonce collisions between instances, re-signed)`,
    )
    assert.equal(settlerTransactions, distinctPayments, 'the settler sent exactly one transaction per payment')
    assert.equal(await chain.nonceOf(settler, 'pending'), await chain.nonceOf(settler), 'nothing left stuck in the mempool')
  })
})
