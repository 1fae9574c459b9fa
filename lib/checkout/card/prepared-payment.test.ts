import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as Grants from '@/lib/store/grants'
import { readGrantToken, grantCookieName } from '@/lib/gate/http/grant-cookie'
import * as PreparedPayment from './prepared-payment'

const secret = 'a-binding-secret-of-at-least-thirty-two-bytes'

describe('prepared card payments', () => {
  test('the same challenge and resource always prepare the same payment id and grant token', () => {
    const first = PreparedPayment.preparePayment(secret, 'challenge-1', 'link:lnk_a')
    assert.deepEqual(PreparedPayment.preparePayment(secret, 'challenge-1', 'link:lnk_a'), first)
    assert.match(first.paymentId, /^pay_[A-Za-z0-9_-]{22}$/)
    assert.equal(first.grantTokenHash, Grants.hashToken(first.grantToken))
  })

  test('another challenge, resource or secret prepares unrelated values', () => {
    const base = PreparedPayment.preparePayment(secret, 'challenge-1', 'link:lnk_a')
    for (const other of [
      PreparedPayment.preparePayment(secret, 'challenge-2', 'link:lnk_a'),
      PreparedPayment.preparePayment(secret, 'challenge-1', 'link:lnk_b'),
      PreparedPayment.preparePayment(`${secret}!`, 'challenge-1', 'link:lnk_a'),
    ]) {
      assert.notEqual(other.paymentId, base.paymentId)
      assert.notEqual(other.grantToken, base.grantToken)
    }
  })

  test('the grant token is a valid grant cookie value', () => {
    const { grantToken } = PreparedPayment.preparePayment(secret, 'c', 'route:GET /api/x')
    const request = new Request('http://127.0.0.1/api/x', { headers: { cookie: `${grantCookieName('route:GET /api/x')}=${grantToken}` } })
    assert.equal(readGrantToken(request, 'route:GET /api/x'), grantToken)
  })

  test('metadata carries the payment id and token hash, never the token', () => {
    const prepared = PreparedPayment.preparePayment(secret, 'c', 'link:lnk_a')
    const metadata = PreparedPayment.toMetadata(prepared, { key: 'link:lnk_a', priceUsd: '0.5' })
    assert.ok(!Object.values(metadata).includes(prepared.grantToken))
    assert.deepEqual(PreparedPayment.fromMetadata(metadata), { paymentId: prepared.paymentId, grantTokenHash: prepared.grantTokenHash })
    // Every value fits Stripe's metadata limits (40-character keys, 500-character values).
    for (const [key, value] of Object.entries(metadata)) assert.ok(key.length <= 40 && value.length <= 500)
  })

  test('intents without (or with damaged) preparation read as null', () => {
    assert.equal(PreparedPayment.fromMetadata(undefined), null)
    assert.equal(PreparedPayment.fromMetadata({ challenge_id: 'c', link_id: 'l' }), null)
    assert.equal(PreparedPayment.fromMetadata({ payment_id: 'pay_x', grant_token_hash: 'short' }), null)
    assert.equal(PreparedPayment.fromMetadata({ payment_id: 'not a payment id', grant_token_hash: Grants.hashToken('t') }), null)
  })
})
