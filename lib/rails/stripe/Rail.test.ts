// What the rail decides before it talks to Stripe. The API base points at a closed port, so any
// Stripe call would surface as StripeUnavailableError instead of the problem each test expects.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import * as Challenge from '@/lib/protocol/Challenge'
import { InvalidChallengeError, MalformedCredentialError, MethodUnsupportedError, PaymentExpiredError } from '@/lib/protocol/Problem'
import { openDb, type Db } from '@/lib/store/db'
import { createStripeConfig } from './Config'
import { createStripeRail, type StripeRail } from './Rail'

const config = createStripeConfig({
  secretKey: 'sk_test_unit',
  publishableKey: 'pk_test_unit',
  webhookSecret: 'whsec_unit',
  networkId: 'profile_test123',
  paymentMethodTypes: ['card', 'link'],
  apiBase: 'http://127.0.0.1:9',
})

function challenge(request: Record<string, unknown>, expires = new Date(Date.now() + 60_000)): Challenge.Challenge {
  return Challenge.create({
    secret: 'unit-test-binding-secret-of-32-bytes!',
    realm: 'tollgate.test',
    method: 'stripe',
    intent: 'charge',
    request,
    expires,
  })
}

describe('Stripe rail', () => {
  let db: Db
  let close: () => Promise<void>
  let rail: StripeRail
  before(async () => {
    ;({ db, close } = await openDb({ dataDir: 'memory://' }))
    rail = createStripeRail(config, db)
  })
  after(() => close())

  test('chargeRequest offers USD cents with the configured methodDetails', () => {
    assert.deepEqual(rail.chargeRequest({ amountCents: 250, description: 'One article', externalId: 'order_1' }), {
      amount: '250',
      currency: 'usd',
      description: 'One article',
      externalId: 'order_1',
      methodDetails: { networkId: 'profile_test123', paymentMethodTypes: ['card', 'link'] },
    })
    assert.deepEqual(rail.chargeRequest({ amountCents: 50n })?.amount, '50')
  })

  test('chargeRequest is null below Stripe minimum, so the offer is left out', () => {
    assert.equal(rail.chargeRequest({ amountCents: 49 }), null)
    assert.equal(rail.chargeRequest({ amountCents: 1 }), null)
    assert.equal(rail.canOffer(49), false)
    assert.equal(rail.canOffer(50), true)
  })

  test('a malformed payload is malformed-credential', async () => {
    const c = challenge({ amount: '500', currency: 'usd' })
    for (const payload of [
      {},
      { spt: 'not-a-token' },
      { paymentIntent: 'pi_1_secret_abc' },
      { spt: 'spt_1', paymentIntent: 'pi_1' },
      'spt_1',
      null,
    ]) {
      await assert.rejects(
        rail.settleMppCredential({ challenge: c, payload, linkId: 'link_1' }),
        MalformedCredentialError,
        JSON.stringify(payload),
      )
    }
  })

  test('a challenge for another method is method-unsupported; a broken request is invalid-challenge', async () => {
    const evm = { ...challenge({ amount: '500', currency: 'usd' }), method: 'evm' }
    await assert.rejects(rail.settleMppCredential({ challenge: evm, payload: { spt: 'spt_1' }, linkId: 'l' }), MethodUnsupportedError)
    const broken = challenge({ amount: '5.00', currency: 'usd' })
    await assert.rejects(rail.settleMppCredential({ challenge: broken, payload: { spt: 'spt_1' }, linkId: 'l' }), InvalidChallengeError)
  })

  test('a credential externalId must repeat the challenge one', async () => {
    const c = challenge({ amount: '500', currency: 'usd', externalId: 'order_1' })
    await assert.rejects(
      rail.settleMppCredential({ challenge: c, payload: { spt: 'spt_1', externalId: 'order_2' }, linkId: 'l' }),
      InvalidChallengeError,
    )
  })

  test('an expired challenge never spends a Shared Payment Token', async () => {
    const c = challenge({ amount: '500', currency: 'usd' }, new Date(Date.now() - 1000))
    await assert.rejects(rail.settleMppCredential({ challenge: c, payload: { spt: 'spt_1' }, linkId: 'l' }), PaymentExpiredError)
  })
})
