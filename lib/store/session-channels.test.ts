import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import { sql } from 'drizzle-orm'
import { describeEachDatabase } from '@/test/support/databases'
import type { DbHandle } from './db'
import * as SessionChannels from './session-channels'
import * as SessionTransactions from './session-transactions'
import * as SessionWatch from './session-watch'

const escrow = '0x00000000000000000000000000000000000e5c40'

function channelRow(overrides: Partial<SessionChannels.NewSessionChannel> = {}): SessionChannels.NewSessionChannel {
  return {
    channelId: `0x${randomBytes(32).toString('hex')}`,
    chainId: 31337,
    escrow,
    token: '0x0000000000000000000000000000000000000070',
    payer: '0x00000000000000000000000000000000000000a1',
    payee: '0x00000000000000000000000000000000000000b2',
    authorizedSigner: '0x0000000000000000000000000000000000000000',
    deposit: '1000',
    resourceKey: 'test:resource',
    openedBlock: 1n,
    ...overrides,
  }
}

const voucher = (amount: bigint, minVoucherDelta = 0n) => ({ amount, signature: `0x${amount.toString(16)}`, minVoucherDelta })

describeEachDatabase('session channel accounting', (factory) => {
  let handle: DbHandle
  before(async () => {
    handle = await factory.open()
  })
  after(async () => {
    await handle?.close()
  })

  test('a voucher raises accepted and pays for the cost in one statement; a replayed voucher spends the headroom', async () => {
    const row = channelRow()
    assert.equal(await SessionChannels.insertChannel(handle.db, row), true)
    assert.equal(await SessionChannels.insertChannel(handle.db, row), false, 'an existing channel is never overwritten')
    const first = await SessionChannels.acceptAndCharge(handle.db, { channelId: row.channelId, voucher: voucher(300n), cost: 100n })
    assert.equal(first.status, 'charged')
    assert.deepEqual(first.status === 'charged' && [first.accepted, first.spent, first.deposit], [300n, 100n, 1000n])
    const replay = await SessionChannels.acceptAndCharge(handle.db, { channelId: row.channelId, voucher: voucher(300n), cost: 200n })
    assert.deepEqual(replay.status === 'charged' && [replay.accepted, replay.spent], [300n, 300n])
    assert.equal(
      (await SessionChannels.acceptAndCharge(handle.db, { channelId: row.channelId, voucher: voucher(300n), cost: 1n })).status,
      'refused',
      'nothing left to spend',
    )
    const stored = await SessionChannels.getChannel(handle.db, row.channelId)
    assert.equal(stored?.bestSignature, '0x12c')
    assert.ok(stored?.unsettledSince, 'accepted above settled starts the age clock')
  })

  test('refused without a change: above the deposit, below minVoucherDelta, on a closing or finalized channel', async () => {
    const row = channelRow()
    await SessionChannels.insertChannel(handle.db, row)
    const refused = async (input: Omit<SessionChannels.ChargeInput, 'channelId'>) =>
      assert.equal((await SessionChannels.acceptAndCharge(handle.db, { channelId: row.channelId, ...input })).status, 'refused')
    await refused({ voucher: voucher(1001n), cost: 0n })
    await refused({ voucher: voucher(50n, 100n), cost: 0n })
    await refused({ cost: 1n })
    assert.equal(
      await SessionChannels.acceptVoucher(handle.db, { channelId: row.channelId, amount: 1001n, signature: '0x', minVoucherDelta: 0n }),
      null,
    )
    await SessionChannels.applyChainState(handle.db, row.channelId, {
      deposit: 1000n,
      settled: 0n,
      closeRequestedAt: 77n,
      finalized: false,
    })
    await refused({ voucher: voucher(100n), cost: 0n })
    await SessionChannels.applyChainState(handle.db, row.channelId, { deposit: 1000n, settled: 0n, closeRequestedAt: 0n, finalized: true })
    await refused({ voucher: voucher(100n), cost: 0n })
    const stored = await SessionChannels.getChannel(handle.db, row.channelId)
    assert.deepEqual([stored?.accepted, stored?.spent, stored?.finalized], ['0', '0', true])
  })

  test('the database itself refuses spent above accepted or accepted above the deposit', async () => {
    const row = channelRow()
    await SessionChannels.insertChannel(handle.db, row)
    await assert.rejects(handle.db.execute(sql`UPDATE session_channels SET spent = 1 WHERE channel_id = ${row.channelId}`))
    await assert.rejects(handle.db.execute(sql`UPDATE session_channels SET accepted = 1001 WHERE channel_id = ${row.channelId}`))
  })

  test('twenty concurrent charges of the voucher that covers one unit: exactly one is served', async () => {
    const row = channelRow()
    await SessionChannels.insertChannel(handle.db, row)
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        SessionChannels.acceptAndCharge(handle.db, { channelId: row.channelId, voucher: voucher(10n), cost: 10n }),
      ),
    )
    assert.equal(outcomes.filter((o) => o.status === 'charged').length, 1)
    const stored = await SessionChannels.getChannel(handle.db, row.channelId)
    assert.deepEqual([stored?.accepted, stored?.spent], ['10', '10'])
  })

  test('a remembered request is charged once: the duplicate rolls back its whole statement', async () => {
    const row = channelRow()
    await SessionChannels.insertChannel(handle.db, row)
    const request: SessionChannels.RememberedRequest = {
      challengeId: 'c1',
      idempotencyKey: `k-${row.channelId}`,
      payloadDigest: 'd',
      action: 'voucher',
      serves: 'resource',
      units: 1,
    }
    const first = await SessionChannels.acceptAndCharge(handle.db, {
      channelId: row.channelId,
      voucher: voucher(500n),
      cost: 100n,
      request,
    })
    assert.equal(first.status, 'charged')
    const duplicate = await SessionChannels.acceptAndCharge(handle.db, {
      channelId: row.channelId,
      voucher: voucher(600n),
      cost: 100n,
      request,
    })
    assert.equal(duplicate.status, 'duplicate')
    const stored = await SessionChannels.getChannel(handle.db, row.channelId)
    assert.deepEqual([stored?.accepted, stored?.spent], ['500', '100'], 'the duplicate changed nothing, not even accepted')
    const remembered = await SessionChannels.getRequest(handle.db, 'c1', request.idempotencyKey)
    assert.equal(remembered?.spent, '100')
    assert.equal(
      first.status === 'charged' && first.at.getTime(),
      remembered?.createdAt.getTime(),
      'answered and remembered at the same instant',
    )
  })

  test('chain state only grows the deposit and settled amount, and a settle restarts the age clock for what came after', async () => {
    const row = channelRow()
    await SessionChannels.insertChannel(handle.db, row)
    await SessionChannels.acceptAndCharge(handle.db, { channelId: row.channelId, voucher: voucher(400n), cost: 0n })
    let stored = await SessionChannels.applyChainState(handle.db, row.channelId, {
      deposit: 900n,
      settled: 0n,
      closeRequestedAt: 0n,
      finalized: false,
    })
    assert.equal(stored?.deposit, '1000')
    stored = await SessionChannels.recordRedeemed(handle.db, { channelId: row.channelId, amount: 400n })
    assert.deepEqual([stored?.settledOnChain, stored?.unsettledSince], ['400', null])
    stored = await SessionChannels.recordRedeemed(handle.db, { channelId: row.channelId, amount: 300n, close: { txHash: '0xclose' } })
    assert.deepEqual([stored?.settledOnChain, stored?.finalized, stored?.closeTxHash], ['400', true, '0xclose'])
  })

  test('due channels: a pending forced close first, then the threshold; one settle in flight per channel', async () => {
    const chainId = 4_000 + Math.floor(Math.random() * 1_000)
    const quiet = channelRow({ chainId })
    const big = channelRow({ chainId })
    const closing = channelRow({ chainId })
    for (const row of [quiet, big, closing]) await SessionChannels.insertChannel(handle.db, row)
    await SessionChannels.acceptAndCharge(handle.db, { channelId: quiet.channelId, voucher: voucher(10n), cost: 0n })
    await SessionChannels.acceptAndCharge(handle.db, { channelId: big.channelId, voucher: voucher(900n), cost: 0n })
    await SessionChannels.acceptAndCharge(handle.db, { channelId: closing.channelId, voucher: voucher(5n), cost: 0n })
    await SessionChannels.applyChainState(handle.db, closing.channelId, {
      deposit: 1000n,
      settled: 0n,
      closeRequestedAt: 9n,
      finalized: false,
    })
    const parameters = { chainId, escrow, threshold: 500n, maxAgeSeconds: 3_600, idleSeconds: 86_400, limit: 10 }
    assert.deepEqual(await SessionChannels.listDue(handle.db, parameters), [
      { channelId: closing.channelId, action: 'settle', reason: 'close-requested' },
      { channelId: big.channelId, action: 'settle', reason: 'threshold' },
    ])
    const claimed = await SessionTransactions.claim(handle.db, {
      channelId: big.channelId,
      kind: 'settle',
      amount: 900n,
      reason: 'threshold',
    })
    assert.equal(claimed.claimed, true)
    const again = await SessionTransactions.claim(handle.db, { channelId: big.channelId, kind: 'close', amount: 900n, reason: 'dashboard' })
    assert.equal(again.claimed, false)
    assert.equal(!again.claimed && again.existing?.kind, 'settle')
    assert.deepEqual(
      (await SessionChannels.listDue(handle.db, parameters)).map((due) => due.channelId),
      [closing.channelId],
    )
    await handle.db.execute(
      sql`UPDATE session_channels SET unsettled_since = now() - interval '2 hours' WHERE channel_id = ${quiet.channelId}`,
    )
    assert.ok(
      (await SessionChannels.listDue(handle.db, parameters)).some((due) => due.channelId === quiet.channelId && due.reason === 'age'),
    )
    await handle.db.execute(
      sql`UPDATE session_channels SET last_voucher_at = now() - interval '2 days' WHERE channel_id = ${quiet.channelId}`,
    )
    assert.ok(
      (await SessionChannels.listDue(handle.db, parameters)).some((due) => due.channelId === quiet.channelId && due.action === 'close'),
    )
  })

  test('relayed authorizations are claimed once; failed ones can be taken back by one caller', async () => {
    const input = {
      channelId: '0xc',
      kind: 'topUp' as const,
      replayKey: `r-${randomBytes(4).toString('hex')}`,
      amount: 5n,
      reason: 'topUp',
    }
    const first = await SessionTransactions.claim(handle.db, input)
    assert.equal(first.claimed, true)
    const second = await SessionTransactions.claim(handle.db, input)
    assert.equal(!second.claimed && second.existing?.status, 'claimed')
    if (!first.claimed) return
    await SessionTransactions.markFailed(handle.db, first.transaction.id, 'reverted')
    const wins = await Promise.all([
      SessionTransactions.reclaimFailed(handle.db, first.transaction.id),
      SessionTransactions.reclaimFailed(handle.db, first.transaction.id),
    ])
    assert.deepEqual(wins.sort(), [false, true])
  })

  test('revenue sums what channels spent and settled, per merchant', async () => {
    const merchantId = `m_${randomBytes(4).toString('hex')}`
    await handle.db.execute(sql`INSERT INTO merchants (id, address) VALUES (${merchantId}, ${`0x${randomBytes(20).toString('hex')}`})`)
    for (const spent of [30n, 70n]) {
      const row = channelRow({ merchantId })
      await SessionChannels.insertChannel(handle.db, row)
      await SessionChannels.acceptAndCharge(handle.db, { channelId: row.channelId, voucher: voucher(100n), cost: spent })
    }
    assert.deepEqual(await SessionChannels.revenue(handle.db, { merchantId }), {
      channels: 2,
      spent: 100n,
      settledOnChain: 0n,
      accepted: 200n,
    })
    assert.equal((await SessionChannels.listChannels(handle.db, { merchantId })).length, 2)
  })

  test('a channel being closed takes no charge; a close that never got under way gives it back', async () => {
    const row = channelRow()
    await SessionChannels.insertChannel(handle.db, row)
    await SessionChannels.acceptAndCharge(handle.db, { channelId: row.channelId, voucher: voucher(100n), cost: 10n })
    const frozen = await SessionChannels.beginClosing(handle.db, row.channelId)
    assert.equal(frozen?.spent, '10')
    assert.equal(await SessionChannels.beginClosing(handle.db, row.channelId), null, 'one close at a time')
    assert.equal(
      (await SessionChannels.acceptAndCharge(handle.db, { channelId: row.channelId, voucher: voucher(100n), cost: 10n })).status,
      'refused',
    )
    assert.equal(await SessionChannels.releaseStaleClosing(handle.db, new Date(Date.now() - 60_000)), 0, 'too recent to be abandoned')
    await SessionTransactions.claim(handle.db, { channelId: row.channelId, kind: 'close', amount: 100n, reason: 'test' })
    assert.equal(await SessionChannels.releaseStaleClosing(handle.db, new Date(Date.now() + 60_000)), 0, 'a close is in flight')
    await SessionChannels.endClosing(handle.db, row.channelId)
    assert.equal(
      (await SessionChannels.acceptAndCharge(handle.db, { channelId: row.channelId, voucher: voucher(100n), cost: 10n })).status,
      'charged',
    )
  })

  test('the watcher cursor only moves forward', async () => {
    await SessionWatch.advance(handle.db, 1, escrow, 10n)
    await SessionWatch.advance(handle.db, 1, escrow, 5n)
    assert.equal(await SessionWatch.nextBlock(handle.db, 1, escrow), 10n)
  })
})
