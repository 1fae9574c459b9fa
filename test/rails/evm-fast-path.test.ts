// The paid path's shortcuts keep every guarantee: the receipt that comes back with the send
// (eth_sendRawTransactionSync, EIP-7966) where the node has it and polling where it does not, the
// settler's nonce kept in memory and recovered when someone else used the key, and a lost answer to
// the sync send recognised as ours and settled once. A JSON-RPC proxy in front of anvil plays the
// node that lacks the method, loses an answer or goes away.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createPublicClient, createWalletClient, http } from 'viem'
import { InvalidChallengeError } from '@/lib/protocol/Problem'
import * as EvmRail from '@/lib/rails/evm'
import { pollingIntervalFor, receiptPolling } from '@/lib/rails/evm/internal/blockTime'
import * as Settlements from '@/lib/store/settlements'
import { anvilAccount, localChain } from '@/scripts/chain/deploy'
import { type RpcProxy, isBroadcast, startRpcProxy } from '@/test/scale/internal/rpc-proxy'
import { type EvmFixture, authorizationPayload, freshRecipient, mppChallenge, price, setupEvm } from './evm-fixtures'

const settler = anvilAccount(0)

describe('EVM rail: fast paths that keep every check', () => {
  let fixture: EvmFixture
  let rpc: RpcProxy

  before(async () => {
    fixture = await setupEvm()
    rpc = await startRpcProxy()
    rpc.setUpstream(fixture.chain.rpcUrl)
  })
  after(async () => {
    await rpc?.stop()
    await fixture?.close()
  })

  /** A rail that reaches anvil through the proxy, with nothing learned yet (nonce, sync support). */
  const railThroughProxy = () =>
    EvmRail.createEvmRail(
      EvmRail.createEvmConfig({ ...fixture.config, settlerPrivateKey: fixture.config.settlerPrivateKey, rpcUrl: rpc.url }),
      fixture.handle.db,
    )

  /** Pays one fresh MPP challenge from payer `index` and returns what the proxy saw meanwhile. */
  async function pay(rail: EvmRail.EvmRail, index: number) {
    const recipient = freshRecipient()
    const challenge = mppChallenge(rail, { recipient })
    const payload = await authorizationPayload(fixture, fixture.payers[index]!, challenge)
    const seenBefore = rpc.calls().length
    const settlement = await rail.settleMppCredential({ challenge, payload })
    return { recipient, challenge, payload, settlement, calls: rpc.calls().slice(seenBefore) }
  }

  const count = (calls: string[], method: string) => calls.filter((m) => m === method).length
  const settlerNonce = () => fixture.publicClient.getTransactionCount({ address: settler.address, blockTag: 'pending' })

  test('where the node sends the receipt with the answer, a payment is a few parallel reads and one send: no polling, no nonce read', async () => {
    const rail = railThroughProxy()
    await pay(rail, 0)
    const { recipient, settlement, calls } = await pay(rail, 0)
    assert.equal(await fixture.balanceOf(recipient), price)
    assert.equal((await Settlements.get(fixture.handle.db, settlement.replayKey))?.status, 'settled')
    assert.equal(count(calls, 'eth_sendRawTransactionSync'), 1, calls.join(' '))
    assert.equal(count(calls, 'eth_sendRawTransaction'), 0, calls.join(' '))
    assert.equal(count(calls, 'eth_getTransactionReceipt'), 0, `no polling: ${calls.join(' ')}`)
    assert.equal(count(calls, 'eth_getTransactionCount'), 0, `the nonce came from memory: ${calls.join(' ')}`)
    assert.equal(count(calls, 'eth_call'), 0, `one simulation (the gas estimate) and no separate reads: ${calls.join(' ')}`)
  })

  test('a node without eth_sendRawTransactionSync: the payment settles through eth_sendRawTransaction and receipt polling', async () => {
    rpc.setMissing(['eth_sendRawTransactionSync'])
    try {
      const rail = railThroughProxy()
      const first = await pay(rail, 1)
      const second = await pay(rail, 1)
      for (const paid of [first, second]) {
        assert.equal(await fixture.balanceOf(paid.recipient), price)
        const record = await Settlements.get(fixture.handle.db, paid.settlement.replayKey)
        assert.equal(record?.status, 'settled')
        assert.equal(record?.txHash, paid.settlement.reference)
        assert.equal(count(paid.calls, 'eth_sendRawTransaction'), 1, paid.calls.join(' '))
        assert.ok(count(paid.calls, 'eth_getTransactionReceipt') >= 1, `the receipt was polled for: ${paid.calls.join(' ')}`)
      }
      assert.equal(count(first.calls, 'eth_sendRawTransactionSync'), 1, 'tried once')
      assert.equal(count(second.calls, 'eth_sendRawTransactionSync'), 0, 'and remembered that the node lacks it')
    } finally {
      rpc.setMissing([])
    }
  })

  test('someone else uses the settler key between two payments: the stale nonce in memory is refused and the next one the node reports settles, once', async () => {
    const rail = railThroughProxy()
    await pay(rail, 2)
    // Another user of the key (an operator's script, another deployment) sends two transactions.
    const other = createWalletClient({
      account: settler,
      chain: localChain(fixture.chain.rpcUrl, fixture.chain.chainId),
      transport: http(fixture.chain.rpcUrl),
    })
    for (let i = 0; i < 2; i++)
      await fixture.publicClient.waitForTransactionReceipt({
        hash: await other.sendTransaction({ to: freshRecipient(), value: 1n }),
        pollingInterval: 50,
      })
    const nonceBefore = await settlerNonce()

    const { recipient, settlement, calls } = await pay(rail, 2)
    assert.equal(await fixture.balanceOf(recipient), price, 'exactly one transfer')
    assert.equal(await settlerNonce(), nonceBefore + 1, 'one transaction of ours was mined')
    assert.equal(calls.filter(isBroadcast).length, 2, `the stale nonce was refused, then the next one sent: ${calls.join(' ')}`)
    const record = await Settlements.get(fixture.handle.db, settlement.replayKey)
    assert.equal(record?.status, 'settled')
    assert.equal(record?.txHash, settlement.reference, 'the record names the transaction that was mined')
    const receipt = await fixture.publicClient.getTransactionReceipt({ hash: settlement.reference })
    assert.equal(receipt.status, 'success')
  })

  test('the answer to a sync send is lost: the settler finds its transaction at the node and settles it once', async () => {
    const rail = railThroughProxy()
    await pay(rail, 3)
    const nonceBefore = await settlerNonce()
    rpc.setMode({ kind: 'lose-answer', method: 'eth_sendRawTransactionSync', times: 1 })
    let paid
    try {
      paid = await pay(rail, 3)
    } finally {
      rpc.setMode({ kind: 'pass' })
    }
    assert.equal(count(paid.calls, 'eth_sendRawTransactionSync'), 1, 'the lost send was not repeated')
    assert.equal(await fixture.balanceOf(paid.recipient), price, 'exactly one transfer')
    assert.equal(await settlerNonce(), nonceBefore + 1, 'the settler signed no second transaction')
    const record = await Settlements.get(fixture.handle.db, paid.settlement.replayKey)
    assert.equal(record?.status, 'settled')
    assert.equal(record?.txHash, paid.settlement.reference)
  })

  test('the node goes away right after taking a sync send: 503, the record waits, reconcile() settles it and a retry moves nothing', async () => {
    const rail = railThroughProxy()
    await pay(rail, 4)
    const nonceBefore = await settlerNonce()
    const recipient = freshRecipient()
    const challenge = mppChallenge(rail, { recipient })
    const payload = await authorizationPayload(fixture, fixture.payers[4]!, challenge)
    rpc.setMode({ kind: 'cut-after', method: 'eth_sendRawTransactionSync' })
    try {
      await assert.rejects(rail.settleMppCredential({ challenge, payload }), (error: unknown) => {
        assert.ok(error instanceof EvmRail.RailUnavailableError, `got ${(error as Error).name}: ${(error as Error).message}`)
        return true
      })
    } finally {
      rpc.setMode({ kind: 'pass' })
    }
    assert.equal(await fixture.balanceOf(recipient), price, 'the node mined it')
    const [left] = (await Settlements.listByStatus(fixture.handle.db, 'submitted')).filter((s) => s.payer === fixture.payers[4]!.address)
    assert.ok(left?.txHash, 'the record waits with its transaction hash')

    assert.deepEqual(await rail.reconcile({ olderThanMs: 0 }), { settled: [left.replayKey], failed: [], pending: [] })
    assert.equal((await Settlements.get(fixture.handle.db, left.replayKey))?.txHash, left.txHash)
    await assert.rejects(rail.settleMppCredential({ challenge, payload }), InvalidChallengeError)
    assert.equal(await fixture.balanceOf(recipient), price, 'exactly one transfer')
    assert.equal(await settlerNonce(), nonceBefore + 1, 'the settler sent exactly one transaction')
  })
})

describe('EVM rail on a chain with 1 s blocks', () => {
  let fixture: EvmFixture
  before(async () => {
    fixture = await setupEvm({ anvilArgs: ['--block-time', '1'] })
  })
  after(async () => {
    await fixture?.close()
  })

  test('receipts are polled at a quarter of the measured block time unless configured', async () => {
    const client = createPublicClient({ transport: http(fixture.chain.rpcUrl), cacheTime: 0 })
    const measured = await receiptPolling(client, undefined).ready()
    // A 1 s chain is polled about every 250 ms; a loaded machine mines its blocks late, so the quarter is taken of
    // the block time the chain really shows over the same (up to 20) blocks (the head may have moved by one since).
    const head = await client.getBlockNumber()
    const quarters = await Promise.all(
      [head, head - 1n].map(async (latest) => {
        const span = latest < 20n ? latest : 20n
        const [a, b] = await Promise.all([client.getBlock({ blockNumber: latest - span }), client.getBlock({ blockNumber: latest })])
        return pollingIntervalFor((Number(b.timestamp - a.timestamp) * 1000) / Number(span))
      }),
    )
    assert.ok(quarters.includes(measured), `measured ${measured} ms, the chain's quarter block time is ${quarters.join(' or ')} ms`)
    assert.ok(measured >= 250 && measured <= 1000, `${measured} ms`)
    assert.equal(pollingIntervalFor(1000), 250)
    assert.equal(await receiptPolling(client, 75).ready(), 75)
  })

  test('payments waiting for the next block through sync sends all settle, each once, with its own nonce', async () => {
    const config = EvmRail.createEvmConfig({
      ...fixture.config,
      settlerPrivateKey: fixture.config.settlerPrivateKey,
      pollingIntervalMs: undefined,
    })
    const rail = EvmRail.createEvmRail(config, fixture.handle.db)
    const work = await Promise.all(
      [0, 1, 2, 3].map(async (index) => {
        const recipient = freshRecipient()
        const challenge = mppChallenge(rail, { recipient })
        return { recipient, challenge, payload: await authorizationPayload(fixture, fixture.payers[index]!, challenge) }
      }),
    )
    const settlements = await Promise.all(work.map(({ challenge, payload }) => rail.settleMppCredential({ challenge, payload })))
    for (const { recipient } of work) assert.equal(await fixture.balanceOf(recipient), price)
    const nonces = await Promise.all(settlements.map(async (s) => (await fixture.publicClient.getTransaction({ hash: s.reference })).nonce))
    assert.equal(new Set(nonces).size, nonces.length, `distinct nonces: ${nonces.join(',')}`)
  })
})
