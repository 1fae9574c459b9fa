// EVM rail, settle after success, on a real anvil: a held authorization is verified and claimed but
// nothing moves; release lets the same credential pay again; capture moves exactly the price once;
// reconcile() never judges a held claim while its authorization is valid, and fails it once it lapsed.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import * as EvmRail from '@/lib/rails/evm'
import { SettlementReplayError } from '@/lib/rails/errors'
import * as Settlements from '@/lib/store/settlements'
import { type EvmFixture, authorizationPayload, freshRecipient, mppChallenge, price, setupEvm } from './evm-fixtures'

describe('EVM rail: holding a payment until the resource answered', () => {
  let fixture: EvmFixture
  before(async () => {
    fixture = await setupEvm()
  })
  after(async () => {
    await fixture?.close()
  })

  test('only an authorization credential can be held', () => {
    assert.equal(fixture.rail.canHoldMppCredential({ type: 'authorization' }), true)
    assert.equal(fixture.rail.canHoldMppCredential({ type: 'hash', hash: '0x00' }), false)
    assert.equal(fixture.rail.canHoldMppCredential({ type: 'transaction' }), false)
    assert.equal(fixture.rail.canHoldMppCredential(null), false)
  })

  test('hold -> nothing moves and reconcile leaves it alone; release -> the same credential holds again; capture -> the price moves once', async () => {
    const payer = fixture.payers[0]!
    const recipient = freshRecipient()
    const challenge = mppChallenge(fixture.rail, { recipient })
    const payload = await authorizationPayload(fixture, payer, challenge)
    const before = await fixture.balanceOf(payer.address)

    const held = await fixture.rail.holdMppCredential({ challenge, payload })
    const [record] = await Settlements.listByStatus(fixture.handle.db, 'claimed')
    assert.ok(record, 'the claim is durable')
    assert.equal((record.details as { heldUntil?: string }).heldUntil, payload.validBefore)
    // Even with no idle threshold at all, reconcile does not judge a claim that is still held.
    const reconciled = await fixture.rail.reconcile({ olderThanMs: 0 })
    assert.deepEqual(reconciled, { settled: [], failed: [], pending: [] })
    assert.equal((await Settlements.get(fixture.handle.db, record.replayKey))?.status, 'claimed')
    // While it is held, the same credential cannot be spent by another request.
    await assert.rejects(fixture.rail.holdMppCredential({ challenge, payload }), SettlementReplayError)
    await assert.rejects(fixture.rail.settleMppCredential({ challenge, payload }), SettlementReplayError)

    await held.release('the resource answered 500')
    assert.equal((await Settlements.get(fixture.handle.db, record.replayKey))?.status, 'failed')
    assert.equal(await fixture.balanceOf(payer.address), before, 'nothing moved')
    assert.equal(await fixture.balanceOf(recipient), 0n)

    const again = await fixture.rail.holdMppCredential({ challenge, payload })
    const settled = await again.capture()
    assert.equal(settled.amount, price.toString())
    assert.equal(await fixture.balanceOf(payer.address), before - price)
    assert.equal(await fixture.balanceOf(recipient), price)
    assert.equal((await Settlements.get(fixture.handle.db, record.replayKey))?.status, 'settled')
    await again.release('too late: captured')
    assert.equal((await Settlements.get(fixture.handle.db, record.replayKey))?.status, 'settled', 'a release after capture changes nothing')
    await assert.rejects(fixture.rail.holdMppCredential({ challenge, payload }), SettlementReplayError)
  })

  test('x402 exact is held, released and captured the same way', async () => {
    const payer = fixture.payers[1]!
    const recipient = freshRecipient()
    const requirements = fixture.rail.x402Requirements({ amount: price, recipient, maxTimeoutSeconds: 300 })
    const challenge = mppChallenge(fixture.rail, { recipient })
    const signed = await authorizationPayload(fixture, payer, challenge, {
      nonce: `0x${'ab'.repeat(32)}`,
      validBefore: BigInt(Math.floor(Date.now() / 1000) + 200),
    })
    const { signature, from, to, value, validAfter, validBefore, nonce } = signed
    const authorization = { from, to, value, validAfter, validBefore, nonce }
    const payment = {
      x402Version: 2 as const,
      accepted: requirements,
      payload: { signature, authorization },
    } as unknown as Parameters<EvmRail.EvmRail['holdX402']>[0]['payload']
    const held = await fixture.rail.holdX402({ requirements, payload: payment })
    await held.release('the resource answered 503')
    assert.equal(await fixture.balanceOf(recipient), 0n)
    const settled = await (await fixture.rail.holdX402({ requirements, payload: payment })).capture()
    assert.equal(settled.amount, price.toString())
    assert.equal(await fixture.balanceOf(recipient), price)
  })

  test('a held claim whose authorization lapsed is judged by reconcile (failed: it never moved), and capture refuses it', async () => {
    const payer = fixture.payers[2]!
    const recipient = freshRecipient()
    const challenge = mppChallenge(fixture.rail, { recipient, expiresInSeconds: 60 })
    const payload = await authorizationPayload(fixture, payer, challenge)
    const held = await fixture.rail.holdMppCredential({ challenge, payload })
    // The same database and chain seen from an instance whose clock is past the authorization's validity.
    const later = EvmRail.createEvmRail(fixture.config, fixture.handle.db, { now: () => BigInt(payload.validBefore) + 31n })
    const reconciled = await later.reconcile({ olderThanMs: 0 })
    assert.equal(reconciled.failed.length, 1)
    await assert.rejects(held.capture(), /no longer held for this request/)
    assert.equal(await fixture.balanceOf(recipient), 0n)
  })
})
