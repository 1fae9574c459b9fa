// The evm/session rail on anvil and a real database, paid by lib/client/session.ts through a minimal
// HTTP front (what the gate will do): channels opened both ways, vouchers accounted in the database,
// top-ups, metered streams, cooperative close; settlement by threshold, the dashboard's actions, and
// the escrow checked at startup.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from 'drizzle-orm'
import { type Hex, createWalletClient, http } from 'viem'
import { type LocalAccount, generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { createSessionClient } from '@/lib/client/session'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import * as Problem from '@/lib/protocol/Problem'
import * as Receipt from '@/lib/protocol/Receipt'
import * as EvmRail from '@/lib/rails/evm'
import * as SessionRail from '@/lib/rails/evm/session'
import * as SessionChannels from '@/lib/store/session-channels'
import * as SessionTransactions from '@/lib/store/session-transactions'
import { anvilAccount, localChain } from '@/scripts/chain/deploy'
import { highS } from '@/test/contracts/internal/escrow'
import { type SessionPayee, startSessionPayee } from './internal/session-payee'
import {
  type OpenedChannel,
  type SessionFixture,
  openAuthorizationPayload,
  owner,
  randomHex32,
  openHashPayload,
  openOnChain,
  sessionChallenge,
  setupSession,
  unitPrice,
  voucherPayload,
} from './session-fixtures'

let fx: SessionFixture
const payees: SessionPayee[] = []
before(async () => {
  fx = await setupSession()
})
after(async () => {
  for (const payee of payees) await payee.stop()
  await fx?.close()
})

async function payee(options: Partial<Parameters<typeof startSessionPayee>[1]> = {}) {
  const started = await startSessionPayee(fx.rail, { amountPerUnit: unitPrice, ...options })
  payees.push(started)
  return started
}

const client = (
  options: Partial<Parameters<typeof createSessionClient>[0]> & { account: Parameters<typeof createSessionClient>[0]['account'] },
) => createSessionClient({ rpcUrl: fx.f.chain.rpcUrl, ...options })

describe('paid by the session client', () => {
  test('100 voucher-paid requests, then close: the payee receives exactly what was spent, the payer the rest of the deposit', async () => {
    const server = await payee({ suggestedDeposit: 150n * unitPrice })
    const payer = anvilAccount(5)
    const payerBefore = await fx.f.balanceOf(payer.address)
    const payeeBefore = await fx.f.balanceOf(fx.rail.payee)
    const session = client({ account: payer, mode: 'hash' })
    for (let i = 1; i <= 100; i++) {
      const response = await session.fetch(`${server.url}/paid`)
      assert.equal(response.status, 200, await response.clone().text())
      assert.equal(await response.text(), `paid ${BigInt(i) * unitPrice}`)
      const receipt = EvmSession.Receipt.parse(Receipt.deserialize(response.headers.get('payment-receipt')!))
      assert.equal(receipt.spent, String(BigInt(i) * unitPrice))
      assert.equal(receipt.acceptedCumulative, String(BigInt(i) * unitPrice))
      assert.equal(receipt.units, 1)
      assert.equal(receipt.reference, receipt.channelId)
    }
    const channel = session.channels()[0]!
    const stored = await SessionChannels.getChannel(fx.handle.db, channel.channelId)
    assert.deepEqual(
      [stored?.accepted, stored?.spent, stored?.deposit],
      [String(100n * unitPrice), String(100n * unitPrice), String(150n * unitPrice)],
    )
    assert.equal(server.accepted.filter((a) => a.action === 'voucher').length, 99)

    const { receipt } = await session.close(`${server.url}/paid`)
    assert.match(receipt?.txHash ?? '', /^0x[0-9a-f]{64}$/)
    assert.equal(receipt?.spent, String(100n * unitPrice))
    const spent = 100n * unitPrice
    assert.equal(await fx.f.balanceOf(fx.rail.payee), payeeBefore + spent, 'the payee received exactly what was spent')
    assert.equal(await fx.f.balanceOf(payer.address), payerBefore - spent, 'the payer got deposit - spent back')
    const onChain = await fx.f.getChannel(channel.channelId)
    assert.equal(onChain.finalized, true)
    assert.equal(onChain.settled, spent)
    const view = await fx.rail.getChannel(channel.channelId)
    assert.equal(view?.status, 'closed')
    assert.equal(view?.settledOnChain, spent)
    assert.equal(view?.closeTxHash, receipt?.txHash)
    const close = server.accepted.at(-1)
    assert.equal(close?.action, 'close')
    assert.equal(close?.serves, 'receipt')
  })

  test('relayed open (feePayer): the server submits the open and a top-up merged into a voucher; the payer spends no gas', async () => {
    const server = await payee()
    const payer = privateKeyToAccount(generatePrivateKey())
    await fx.f.send(fx.f.payer, {
      address: fx.f.token,
      abi: fx.f.tokenAbi,
      functionName: 'transfer',
      args: [payer.address, 100n * unitPrice],
    })
    const session = client({ account: payer, deposit: 10n * unitPrice, maxDeposit: 30n * unitPrice })
    for (let i = 0; i < 12; i++) assert.equal((await session.fetch(`${server.url}/paid`)).status, 200)
    assert.equal(await fx.f.publicClient.getBalance({ address: payer.address }), 0n, 'a payer without ETH paid twelve requests')
    const [open, ...rest] = server.accepted
    assert.equal(open?.action, 'open')
    assert.match(open?.txHash ?? '', /^0x[0-9a-f]{64}$/, 'the relayed open transaction')
    const merged = rest.filter((a) => a.action === 'voucher' && a.txHash)
    assert.equal(merged.length, 1, 'one voucher carried a relayed top-up')
    const channel = session.channels()[0]!
    assert.equal((await fx.f.getChannel(channel.channelId)).deposit, 20n * unitPrice)
    assert.equal((await SessionChannels.getChannel(fx.handle.db, channel.channelId))?.deposit, String(20n * unitPrice))
    const kinds = (await SessionTransactions.listForChannel(fx.handle.db, channel.channelId)).map((t) => [t.kind, t.status])
    assert.deepEqual(kinds, [
      ['open', 'settled'],
      ['topUp', 'settled'],
    ])
    await session.close(`${server.url}/paid`)
    assert.equal(await fx.f.balanceOf(payer.address), 100n * unitPrice - 12n * unitPrice)
  })

  test('a payer-broadcast top-up (HEAD) is counted from the escrow, and a session key signs the vouchers', async () => {
    const server = await payee()
    const sessionKey = privateKeyToAccount(generatePrivateKey())
    const session = client({
      account: anvilAccount(6),
      voucherSigner: sessionKey,
      deposit: 3n * unitPrice,
      maxDeposit: 10n * unitPrice,
      mode: 'hash',
    })
    for (let i = 0; i < 5; i++) assert.equal((await session.fetch(`${server.url}/paid`)).status, 200)
    const channel = session.channels()[0]!
    const stored = await SessionChannels.getChannel(fx.handle.db, channel.channelId)
    assert.equal(stored?.authorizedSigner, sessionKey.address)
    assert.deepEqual([stored?.deposit, stored?.spent], [String(6n * unitPrice), String(5n * unitPrice)])
    const topUp = server.accepted.find((a) => a.action === 'topUp')
    assert.equal(topUp?.serves, 'receipt')
    assert.equal(topUp?.charged, 0n)
  })

  test(
    'a metered stream is charged token by token and pauses on payment-need-voucher until a voucher arrives',
    { timeout: 60_000 },
    async () => {
      const server = await payee({ streamTokens: 6 })
      const session = client({ account: anvilAccount(7), deposit: 20n * unitPrice })
      const data: string[] = []
      let receipt: EvmSession.Receipt.Receipt | undefined
      for await (const event of session.stream(`${server.url}/stream`)) {
        if (event.event === EvmSession.Events.receiptEvent) receipt = EvmSession.Events.parseReceipt(event.data)
        else data.push(event.data)
      }
      assert.deepEqual(
        data,
        Array.from({ length: 6 }, (_, i) => `token ${i}`),
      )
      assert.equal(receipt?.spent, String(6n * unitPrice))
      assert.equal(receipt?.units, 6)
      const vouchers = server.accepted.filter((a) => a.action === 'voucher')
      assert.equal(vouchers.length, 5, 'the opening voucher paid the first token, one voucher per token after it')
    },
  )
})

/** Asserts `promise` rejects with the problem `code` and `status`. */
async function refused(promise: Promise<unknown>, code: string, status: number) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(Problem.is(error), `expected a problem, got ${(error as Error).name}: ${(error as Error).message}`)
    assert.equal(error.code, code, error.detail)
    assert.equal(error.status, status)
    assert.ok(error.detail.length > 20, 'a detail a developer can act on')
    return true
  })
}

describe("refusals: the spec's problem type, and nothing accepted", () => {
  let channel: OpenedChannel
  let challenge: ReturnType<typeof sessionChallenge>
  const accept = (payload: unknown, extra: Partial<SessionRail.AcceptParameters> = {}) =>
    fx.rail.accept({ challenge, payload, units: 1, owner, ...extra })
  const unchanged = async () => {
    const row = await SessionChannels.getChannel(fx.handle.db, channel.channelId)
    assert.deepEqual([row?.accepted, row?.spent, row?.bestSignature !== null], [String(2n * unitPrice), String(unitPrice), true])
  }

  before(async () => {
    challenge = sessionChallenge(fx.rail)
    channel = await openOnChain(fx, { payer: anvilAccount(8), deposit: 10n * unitPrice })
    const open = await openHashPayload(fx, channel, { cumulativeAmount: 2n * unitPrice })
    const opened = await accept(open.payload, { source: open.source })
    assert.equal(opened.charged, unitPrice)
  })

  test('a malformed signature is invalid-signature (402)', async () => {
    const good = await voucherPayload(fx, channel, 3n * unitPrice)
    await refused(accept({ ...good, signature: `${good.signature.slice(0, -2)}1d` }), 'session/invalid-signature', 402)
    await refused(accept({ ...good, signature: good.signature.slice(0, 130) }), 'session/invalid-signature', 402)
    await unchanged()
  })

  test('a voucher signed by someone other than the payer is signer-mismatch (402)', async () => {
    await refused(accept(await voucherPayload(fx, channel, 3n * unitPrice, { signer: anvilAccount(3) })), 'session/signer-mismatch', 402)
    await unchanged()
  })

  test('the malleable high-s twin of a valid signature is invalid-signature (402)', async () => {
    const good = await voucherPayload(fx, channel, 3n * unitPrice)
    await refused(accept({ ...good, signature: highS(good.signature) }), 'session/invalid-signature', 402)
    await unchanged()
  })

  test('above the deposit is amount-exceeds-deposit (402)', async () => {
    await refused(accept(await voucherPayload(fx, channel, 10n * unitPrice + 1n)), 'session/amount-exceeds-deposit', 402)
    await unchanged()
  })

  test('an increase below minVoucherDelta is delta-too-small (402)', async () => {
    const strict = sessionChallenge(fx.rail, { minVoucherDelta: 5n * unitPrice })
    await refused(accept(await voucherPayload(fx, channel, 3n * unitPrice), { challenge: strict }), 'session/delta-too-small', 402)
    await unchanged()
  })

  test('a voucher for another escrow or chain recovers to another signer: signer-mismatch (402)', async () => {
    const otherChain = await voucherPayload(fx, channel, 3n * unitPrice, { domain: { chainId: 1, escrow: fx.f.escrow } })
    await refused(accept(otherChain), 'session/signer-mismatch', 402)
    const otherEscrow = await voucherPayload(fx, channel, 3n * unitPrice, { domain: { chainId: fx.f.chain.chainId, escrow: fx.f.token } })
    await refused(accept(otherEscrow), 'session/signer-mismatch', 402)
    await unchanged()
  })

  test('an unknown channel is channel-not-found (410)', async () => {
    await refused(
      accept(await voucherPayload(fx, { channelId: randomHex32(), payer: channel.payer }, unitPrice)),
      'session/channel-not-found',
      410,
    )
  })

  test('a channel opened for another merchant is not found for this one (410)', async () => {
    await refused(
      accept(await voucherPayload(fx, channel, 3n * unitPrice), { owner: { resourceKey: 'other', merchantId: 'someone-else' } }),
      'session/channel-not-found',
      410,
    )
    await unchanged()
  })

  test("a replayed open is refused like the escrow's ChannelAlreadyExists: transaction-reverted (409)", async () => {
    const open = await openHashPayload(fx, channel, { cumulativeAmount: 2n * unitPrice })
    await refused(accept(open.payload, { source: open.source }), 'session/transaction-reverted', 409)
    await unchanged()
  })

  test('an open whose transaction did not open that channel is verification-failed (402), and no channel is recorded', async () => {
    const other = await openOnChain(fx, { payer: anvilAccount(8), deposit: 5n * unitPrice })
    const wrongHash = await openHashPayload(fx, other, { hash: channel.openHash })
    await refused(accept(wrongHash.payload, { source: wrongHash.source }), 'verification-failed', 402)
    const transfer = await fx.f.send(anvilAccount(8), {
      address: fx.f.token,
      abi: fx.f.tokenAbi,
      functionName: 'transfer',
      args: [anvilAccount(9).address, 1n],
    })
    const plainTransfer = await openHashPayload(fx, other, { hash: transfer.transactionHash })
    await refused(accept(plainTransfer.payload, { source: plainTransfer.source }), 'verification-failed', 402)
    assert.equal(await SessionChannels.getChannel(fx.handle.db, other.channelId), null)
  })

  test('an open naming a reverted transaction is transaction-reverted (409) at once', async () => {
    const other = await openOnChain(fx, { payer: anvilAccount(8), deposit: 5n * unitPrice })
    const reverted = await fx.f.publicClient.waitForTransactionReceipt({ hash: await revertedTransaction(anvilAccount(8)) })
    assert.equal(reverted.status, 'reverted')
    const payload = await openHashPayload(fx, other, { hash: reverted.transactionHash })
    await refused(accept(payload.payload, { source: payload.source }), 'session/transaction-reverted', 409)
  })

  test('malformed payloads, amounts above uint128 and credential types not offered are 400', async () => {
    await refused(accept({ action: 'voucher', channelId: channel.channelId }), 'malformed-credential', 400)
    await refused(
      accept({ ...(await voucherPayload(fx, channel, 1n)), cumulativeAmount: (2n ** 128n).toString() }),
      'malformed-credential',
      400,
    )
    const hashOnly = sessionChallenge(
      SessionRail.createSessionRail({ evmRail: fx.evmRail, db: fx.handle.db, settings: { ...fx.settings, feePayer: false } }),
    )
    const relayed = await openAuthorizationPayload(fx, anvilAccount(8))
    await refused(accept(relayed.payload, { challenge: hashOnly }), 'malformed-credential', 400)
    await refused(accept(await voucherPayload(fx, channel, 3n * unitPrice), { idempotencyKey: 'has spaces' }), 'malformed-credential', 400)
    await unchanged()
  })

  test('a finalized channel is channel-finalized (410)', async () => {
    const closing = await openOnChain(fx, { payer: anvilAccount(9), deposit: 5n * unitPrice })
    const open = await openHashPayload(fx, closing)
    await accept(open.payload, { source: open.source })
    await fx.rail.accept({ challenge, payload: await voucherPayload(fx, closing, unitPrice, { action: 'close' }), units: 0, owner })
    await refused(accept(await voucherPayload(fx, closing, 2n * unitPrice)), 'session/channel-finalized', 410)
    await refused(
      fx.rail.accept({ challenge, payload: await voucherPayload(fx, closing, unitPrice, { action: 'close' }), units: 0, owner }),
      'session/channel-finalized',
      410,
    )
  })

  test('a pending forced close, once the watcher has seen it, is channel-finalized (410)', async () => {
    const forced = await openOnChain(fx, { payer: anvilAccount(9), deposit: 5n * unitPrice })
    const open = await openHashPayload(fx, forced)
    await accept(open.payload, { source: open.source })
    await fx.f.send(anvilAccount(9), { functionName: 'requestClose', args: [forced.channelId] })
    const report = await fx.rail.runJobsOnce()
    assert.ok(report.watched?.closeRequested.includes(forced.channelId))
    await refused(accept(await voucherPayload(fx, forced, 2n * unitPrice)), 'session/channel-finalized', 410)
    const row = await SessionChannels.getChannel(fx.handle.db, forced.channelId)
    assert.deepEqual([row?.accepted, row?.spent], [String(unitPrice), String(unitPrice)])
  })

  test('spending more than the accepted vouchers cover is insufficient-balance (402) with the voucher to sign', async () => {
    await assert.rejects(accept(await voucherPayload(fx, channel, 2n * unitPrice), { units: 2 }), (error: unknown) => {
      assert.ok(error instanceof Problem.InsufficientBalanceError)
      assert.equal(error.extensions.requiredCumulative, String(3n * unitPrice))
      return true
    })
    await unchanged()
  })
})

/** A transaction mined with status 0x0 (a requestClose of no channel, sent with explicit gas so it is not simulated first). */
async function revertedTransaction(account: LocalAccount): Promise<Hex> {
  const wallet = createWalletClient({
    account,
    chain: localChain(fx.f.chain.rpcUrl, fx.f.chain.chainId),
    transport: http(fx.f.chain.rpcUrl),
  })
  return wallet.writeContract({
    address: fx.f.escrow,
    abi: EvmSession.escrowAbi,
    functionName: 'requestClose',
    args: [randomHex32()],
    gas: 200_000n,
  })
}

describe('Idempotency-Key', () => {
  test('a duplicate (same challenge and key) is charged once and gets the same receipt; the same key with another payment is refused', async () => {
    const channel = await openOnChain(fx, { payer: anvilAccount(4), deposit: 20n * unitPrice })
    const challenge = sessionChallenge(fx.rail)
    const open = await openHashPayload(fx, channel, { cumulativeAmount: unitPrice })
    await fx.rail.accept({ challenge, payload: open.payload, source: open.source, units: 1, owner, idempotencyKey: 'open-1' })
    const voucher = await voucherPayload(fx, channel, 3n * unitPrice)
    const first = await fx.rail.accept({ challenge, payload: voucher, units: 1, owner, idempotencyKey: 'req-1' })
    const again = await Promise.all(
      Array.from({ length: 5 }, () => fx.rail.accept({ challenge, payload: voucher, units: 1, owner, idempotencyKey: 'req-1' })),
    )
    for (const duplicate of again) {
      assert.equal(duplicate.duplicate, true)
      assert.equal(duplicate.charged, 0n)
      assert.equal(duplicate.serves, 'resource')
      assert.deepEqual(duplicate.receipt, first.receipt, 'the same receipt, timestamp included')
    }
    const row = await SessionChannels.getChannel(fx.handle.db, channel.channelId)
    assert.deepEqual([row?.accepted, row?.spent], [String(3n * unitPrice), String(2n * unitPrice)], 'spent once')
    await refused(
      fx.rail.accept({ challenge, payload: await voucherPayload(fx, channel, 4n * unitPrice), units: 1, owner, idempotencyKey: 'req-1' }),
      'verification-failed',
      402,
    )
    // Without a key, the spec's replay rule applies: the voucher stands, and each request is charged from what it covers.
    await fx.rail.accept({ challenge, payload: voucher, units: 1, owner })
    assert.equal((await SessionChannels.getChannel(fx.handle.db, channel.channelId))?.spent, String(3n * unitPrice))
    await refused(fx.rail.accept({ challenge, payload: voucher, units: 1, owner }), 'session/insufficient-balance', 402)
  })

  test('a duplicate close answers with the same close receipt and sends nothing', async () => {
    const channel = await openOnChain(fx, { payer: anvilAccount(4), deposit: 20n * unitPrice })
    const challenge = sessionChallenge(fx.rail)
    const open = await openHashPayload(fx, channel, { cumulativeAmount: 2n * unitPrice })
    await fx.rail.accept({ challenge, payload: open.payload, source: open.source, units: 2, owner })
    const close = await voucherPayload(fx, channel, 2n * unitPrice, { action: 'close' })
    const closed = await fx.rail.accept({ challenge, payload: close, units: 0, owner, idempotencyKey: 'close-1' })
    const nonce = await fx.f.publicClient.getTransactionCount({ address: fx.rail.payee })
    const again = await fx.rail.accept({ challenge, payload: close, units: 0, owner, idempotencyKey: 'close-1' })
    assert.deepEqual(again.receipt, closed.receipt)
    assert.equal(again.receipt.txHash, closed.txHash)
    assert.equal(await fx.f.publicClient.getTransactionCount({ address: fx.rail.payee }), nonce)
  })
})

describe('settlement and the dashboard', () => {
  test('the job settles a channel whose unsettled amount reaches the threshold, once', async () => {
    const payer = anvilAccount(2)
    const channel = await openOnChain(fx, { payer, deposit: 500n * unitPrice })
    const challenge = sessionChallenge(fx.rail)
    const open = await openHashPayload(fx, channel, { cumulativeAmount: 99n * unitPrice })
    await fx.rail.accept({ challenge, payload: open.payload, source: open.source, units: 1, owner })
    let report = await fx.rail.runJobsOnce()
    assert.ok(!report.settled.some((s) => s.channelId === channel.channelId), '0.099 USDC is below the 0.1 threshold')
    await fx.rail.accept({ challenge, payload: await voucherPayload(fx, channel, 100n * unitPrice), units: 1, owner })
    const payeeBefore = await fx.f.balanceOf(fx.rail.payee)
    report = await fx.rail.runJobsOnce()
    const settled = report.settled.find((s) => s.channelId === channel.channelId)
    assert.deepEqual([settled?.amount, settled?.reason], [100n * unitPrice, 'threshold'])
    assert.equal(await fx.f.balanceOf(fx.rail.payee), payeeBefore + 100n * unitPrice, 'the best voucher was redeemed')
    assert.equal((await fx.f.getChannel(channel.channelId)).settled, 100n * unitPrice)
    const view = await fx.rail.getChannel(channel.channelId)
    assert.deepEqual([view?.settledOnChain, view?.unsettled, view?.status], [100n * unitPrice, 0n, 'open'])
    report = await fx.rail.runJobsOnce()
    assert.ok(!report.settled.some((s) => s.channelId === channel.channelId), 'nothing left to settle')
    // The channel stays usable, and a later close pays only what was not settled yet.
    await fx.rail.accept({ challenge, payload: await voucherPayload(fx, channel, 103n * unitPrice), units: 3, owner })
    const closed = await fx.rail.closeChannel(channel.channelId)
    assert.equal(closed.amount, 103n * unitPrice)
    assert.equal(await fx.f.balanceOf(fx.rail.payee), payeeBefore + 103n * unitPrice)
    assert.deepEqual(
      (await SessionTransactions.listForChannel(fx.handle.db, channel.channelId)).map((t) => [t.kind, t.status, t.reason]),
      [
        ['settle', 'settled', 'threshold'],
        ['close', 'settled', 'dashboard'],
      ],
    )
  })

  test('unsettled for longer than the maximum age, or idle for long: settled, then closed', async () => {
    const channel = await openOnChain(fx, { payer: anvilAccount(3), deposit: 50n * unitPrice })
    const challenge = sessionChallenge(fx.rail)
    const open = await openHashPayload(fx, channel, { cumulativeAmount: 2n * unitPrice })
    await fx.rail.accept({ challenge, payload: open.payload, source: open.source, units: 2, owner })
    await fx.handle.db.execute(
      sql`UPDATE session_channels SET unsettled_since = now() - interval '2 days' WHERE channel_id = ${channel.channelId}`,
    )
    let report = await fx.rail.runJobsOnce()
    assert.deepEqual(
      report.settled.filter((s) => s.channelId === channel.channelId).map((s) => [s.amount, s.reason]),
      [[2n * unitPrice, 'age']],
    )
    await fx.handle.db.execute(
      sql`UPDATE session_channels SET last_voucher_at = now() - interval '40 days' WHERE channel_id = ${channel.channelId}`,
    )
    const payerBefore = await fx.f.balanceOf(anvilAccount(3).address)
    report = await fx.rail.runJobsOnce()
    assert.deepEqual(
      report.closed.filter((c) => c.channelId === channel.channelId).map((c) => c.reason),
      ['idle'],
    )
    assert.equal(await fx.f.balanceOf(anvilAccount(3).address), payerBefore + 48n * unitPrice, 'the idle channel refunded the rest')
    assert.equal((await fx.rail.getChannel(channel.channelId))?.status, 'closed')
  })

  test('settle now, list channels and revenue per merchant', async () => {
    const merchantId = 'm_sessions'
    await fx.handle.db.execute(
      sql`INSERT INTO merchants (id, address) VALUES (${merchantId}, ${anvilAccount(9).address}) ON CONFLICT DO NOTHING`,
    )
    const merchantOwner = { resourceKey: 'link:x', merchantId }
    const challenge = sessionChallenge(fx.rail)
    const channels = [] as OpenedChannel[]
    for (const payer of [anvilAccount(6), anvilAccount(7)]) {
      const channel = await openOnChain(fx, { payer, deposit: 30n * unitPrice })
      const open = await openHashPayload(fx, channel, { cumulativeAmount: 5n * unitPrice })
      await fx.rail.accept({ challenge, payload: open.payload, source: open.source, units: 4, owner: merchantOwner })
      channels.push(channel)
    }
    const settled = await fx.rail.settleNow(channels[0]!.channelId)
    assert.equal(settled.status, 'settled')
    assert.deepEqual(await fx.rail.settleNow(channels[0]!.channelId), { status: 'nothing-to-settle' })
    const listed = await fx.rail.listChannels({ merchantId })
    assert.deepEqual(
      listed.map((c) => [c.channelId, c.deposit, c.accepted, c.spent, c.settledOnChain, c.status]).sort(),
      [
        [channels[0]!.channelId, 30n * unitPrice, 5n * unitPrice, 4n * unitPrice, 5n * unitPrice, 'open'],
        [channels[1]!.channelId, 30n * unitPrice, 5n * unitPrice, 4n * unitPrice, 0n, 'open'],
      ].sort(),
    )
    assert.ok(listed.every((c) => c.lastVoucherAt instanceof Date && c.payer.startsWith('0x')))
    assert.deepEqual(await fx.rail.revenue({ merchantId }), {
      channels: 2,
      spent: 8n * unitPrice,
      settledOnChain: 5n * unitPrice,
      accepted: 10n * unitPrice,
    })
    await refused(fx.rail.settleNow(randomHex32()), 'session/channel-not-found', 410)
  })
})

describe('configuration', () => {
  test('requests name the settler as payee, offer the relayed open with feePayer, and refuse any other recipient', async () => {
    const request = fx.rail.request({ amountPerUnit: unitPrice, recipient: fx.rail.payee, unitType: 'llm_token', minVoucherDelta: 10n })
    assert.equal(request.recipient, fx.rail.payee)
    assert.equal(request.methodDetails.escrowContract, fx.f.escrow)
    assert.deepEqual([request.methodDetails.feePayer, request.methodDetails.credentialTypes], [true, ['authorization', 'hash']])
    assert.throws(() => fx.rail.request({ amountPerUnit: unitPrice, recipient: anvilAccount(9).address }), SessionRail.SessionConfigError)
    assert.deepEqual(await fx.rail.verifyEscrow(), { closeGracePeriodSeconds: 15 * 60 })
  })

  test('a contract that is not a session escrow is refused before any channel is accepted (503)', async () => {
    const config = EvmRail.createEvmConfig({ ...fx.config, settlerPrivateKey: fx.config.settlerPrivateKey, escrowAddress: fx.f.token })
    const rail = SessionRail.createSessionRail({
      evmRail: EvmRail.createEvmRail(config, fx.handle.db),
      db: fx.handle.db,
      settings: fx.settings,
    })
    await assert.rejects(rail.verifyEscrow(), SessionRail.SessionsUnavailableError)
    const challenge = sessionChallenge(fx.rail)
    const channel = await openOnChain(fx, { payer: anvilAccount(5), deposit: 5n * unitPrice })
    const open = await openHashPayload(fx, channel)
    await assert.rejects(
      rail.accept({
        challenge: {
          ...challenge,
          request: { ...challenge.request, methodDetails: { ...challenge.request.methodDetails, escrowContract: fx.f.token } },
        },
        payload: open.payload,
        source: open.source,
        units: 1,
        owner,
      }),
      (error: unknown) => error instanceof SessionRail.SessionsUnavailableError && error.status === 503,
    )
    assert.throws(() => rail.request({ amountPerUnit: unitPrice, recipient: rail.payee }), SessionRail.SessionConfigError)
    assert.throws(
      () =>
        SessionRail.createSessionRail({
          evmRail: EvmRail.createEvmRail(
            EvmRail.createEvmConfig({ ...fx.config, settlerPrivateKey: fx.config.settlerPrivateKey, escrowAddress: undefined }),
            fx.handle.db,
          ),
          db: fx.handle.db,
        }),
      SessionRail.SessionConfigError,
    )
  })
})

describe('where the issue and the spec differ, the spec wins', () => {
  test('cooperative close: the final voucher when it covers what was spent (not the best one); the best one when it does not', async () => {
    // Issue: "server submits close with the best voucher". Spec (Cooperative Close): close with the client's
    // cumulativeAmount when it is >= spent; only an insufficient one falls back to the highest accepted voucher.
    const challenge = sessionChallenge(fx.rail)
    const closeWith = async (finalAmount: bigint) => {
      const payer = anvilAccount(1)
      const channel = await openOnChain(fx, { payer, deposit: 20n * unitPrice })
      const open = await openHashPayload(fx, channel, { cumulativeAmount: 5n * unitPrice })
      await fx.rail.accept({ challenge, payload: open.payload, source: open.source, units: 3, owner })
      const before = await fx.f.balanceOf(payer.address)
      const closed = await fx.rail.accept({
        challenge,
        payload: await voucherPayload(fx, channel, finalAmount, { action: 'close' }),
        units: 0,
        owner,
      })
      return { settled: (await fx.f.getChannel(channel.channelId)).settled, refund: (await fx.f.balanceOf(payer.address)) - before, closed }
    }
    const covering = await closeWith(3n * unitPrice)
    assert.deepEqual([covering.settled, covering.refund], [3n * unitPrice, 17n * unitPrice])
    assert.equal(covering.closed.receipt.spent, String(3n * unitPrice))
    const short = await closeWith(2n * unitPrice)
    assert.deepEqual([short.settled, short.refund], [5n * unitPrice, 15n * unitPrice])
  })

  test('a valid higher voucher is accepted even when it does not pay for the request (Per-Request Processing: accept, then check the balance)', async () => {
    // Issue: one conditional statement that accepts and charges together. Spec: step 1 persists the voucher,
    // step 2 answers 402 when it does not cover the cost; the voucher stays accepted.
    const channel = await openOnChain(fx, { payer: anvilAccount(1), deposit: 20n * unitPrice })
    const challenge = sessionChallenge(fx.rail)
    const open = await openHashPayload(fx, channel, { cumulativeAmount: unitPrice })
    await fx.rail.accept({ challenge, payload: open.payload, source: open.source, units: 1, owner })
    await refused(
      fx.rail.accept({ challenge, payload: await voucherPayload(fx, channel, 2n * unitPrice), units: 5, owner }),
      'session/insufficient-balance',
      402,
    )
    const row = await SessionChannels.getChannel(fx.handle.db, channel.channelId)
    assert.deepEqual([row?.accepted, row?.spent], [String(2n * unitPrice), String(unitPrice)])
  })

  test('a replayed open has no problem type of its own: the escrow would revert ChannelAlreadyExists, which the spec maps to transaction-reverted (409)', async () => {
    const channel = await openOnChain(fx, { payer: anvilAccount(1), deposit: 5n * unitPrice })
    const challenge = sessionChallenge(fx.rail)
    const open = await openHashPayload(fx, channel)
    await fx.rail.accept({ challenge, payload: open.payload, source: open.source, units: 1, owner })
    await refused(
      fx.rail.accept({ challenge, payload: open.payload, source: open.source, units: 1, owner }),
      'session/transaction-reverted',
      409,
    )
    // A relayed open of a channel already recorded is refused before any gas is spent.
    const relayed = await openAuthorizationPayload(fx, anvilAccount(1))
    await fx.rail.accept({ challenge, payload: relayed.payload, units: 1, owner })
    const nonce = await fx.f.publicClient.getTransactionCount({ address: fx.rail.payee })
    await refused(fx.rail.accept({ challenge, payload: relayed.payload, units: 1, owner }), 'session/transaction-reverted', 409)
    assert.equal(await fx.f.publicClient.getTransactionCount({ address: fx.rail.payee }), nonce)
  })
})
