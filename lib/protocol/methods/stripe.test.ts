import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { InvalidChallengeError, MalformedCredentialError } from '@/lib/protocol/Problem'
import * as Stripe from './stripe'

describe('request', () => {
  test('parses the spec examples, with and without methodDetails', () => {
    const full = Stripe.parseRequest({
      amount: '5000',
      currency: 'usd',
      description: 'Premium API access for 1 month',
      externalId: 'order_12345',
      methodDetails: { networkId: 'profile_1MqDcVKA5fEO2tZvKQm9g8Yj', paymentMethodTypes: ['card', 'link'] },
    })
    assert.deepEqual(full.methodDetails?.paymentMethodTypes, ['card', 'link'])
    // The spec's HTTP example decodes to a request without methodDetails.
    assert.equal(Stripe.parseRequest({ amount: '5000', currency: 'usd', description: 'AI generation' }).methodDetails, undefined)
  })

  test('createRequest lowercases the currency, omits absent keys, and parses back', () => {
    const request = Stripe.createRequest({ amount: 250, currency: 'USD', networkId: 'profile_123', description: 'One article' })
    assert.deepEqual(request, {
      amount: '250',
      currency: 'usd',
      description: 'One article',
      methodDetails: { networkId: 'profile_123', paymentMethodTypes: ['card'] },
    })
    assert.deepEqual(Stripe.parseRequest(JSON.parse(JSON.stringify(request))), request)
    assert.deepEqual(Stripe.createRequest({ amount: '1', currency: 'eur' }), { amount: '1', currency: 'eur' })
  })

  test('createRequest rejects configuration mistakes', () => {
    assert.throws(() => Stripe.createRequest({ amount: 1.5, currency: 'usd' }), Stripe.InvalidRequestParametersError)
    assert.throws(() => Stripe.createRequest({ amount: -1, currency: 'usd' }), Stripe.InvalidRequestParametersError)
    assert.throws(() => Stripe.createRequest({ amount: 1, currency: 'dollars' }), Stripe.InvalidRequestParametersError)
    assert.throws(
      () => Stripe.createRequest({ amount: 1, currency: 'usd', networkId: 'p', paymentMethodTypes: [] }),
      Stripe.InvalidRequestParametersError,
    )
  })

  test('parseRequest rejects invalid requests with InvalidChallengeError', () => {
    const invalid: unknown[] = [
      null,
      { amount: 5000, currency: 'usd' },
      { amount: '50.00', currency: 'usd' },
      { amount: '5000', currency: 'USD' },
      { amount: '5000' },
      { amount: '5000', currency: 'usd', methodDetails: { paymentMethodTypes: ['card'] } },
      { amount: '5000', currency: 'usd', methodDetails: { networkId: 'profile_1', paymentMethodTypes: [] } },
      { amount: '5000', currency: 'usd', methodDetails: { networkId: 'profile_1', paymentMethodTypes: ['card'], metadata: { a: 1 } } },
    ]
    for (const value of invalid) assert.throws(() => Stripe.parseRequest(value), InvalidChallengeError, JSON.stringify(value))
  })
})

describe('parsePayload', () => {
  test('accepts the spec payload (a Shared Payment Token)', () => {
    const payload = Stripe.parsePayload({ spt: 'spt_1N4Zv32eZvKYlo2CPhVPkJlW', externalId: 'client_order_789' })
    assert.equal(Stripe.isSptPayload(payload), true)
    assert.equal(Stripe.isPaymentIntentPayload(payload), false)
    assert.deepEqual(payload, { spt: 'spt_1N4Zv32eZvKYlo2CPhVPkJlW', externalId: 'client_order_789' })
  })

  test('accepts the Tollgate browser payload naming a PaymentIntent', () => {
    const payload = Stripe.parsePayload({ paymentIntent: 'pi_3PqR5tLkdIwHu7ix0abcDEF1' })
    assert.equal(Stripe.isPaymentIntentPayload(payload), true)
    assert.equal(Stripe.isSptPayload(payload), false)
  })

  test('rejects malformed or ambiguous payloads with MalformedCredentialError', () => {
    const invalid: unknown[] = [
      null,
      'spt_123',
      {},
      { spt: '' },
      { spt: 'pi_123' },
      { spt: 'spt_' },
      { spt: 'spt_abc def' },
      { spt: 'spt_abc', extra: true },
      { paymentIntent: 'spt_123' },
      { paymentIntent: 'pi_123_secret_456' },
      { spt: 'spt_abc', paymentIntent: 'pi_abc' },
      { spt: `spt_${'a'.repeat(300)}` },
    ]
    for (const value of invalid) assert.throws(() => Stripe.parsePayload(value), MalformedCredentialError, JSON.stringify(value))
  })
})
