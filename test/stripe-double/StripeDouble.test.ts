// The double's own contract, beyond what the rail's integration tests exercise: what the fake
// Stripe.js relies on (CORS, publishable keys, 3-D Secure pages) and Stripe's stricter rules.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import Stripe from 'stripe'
import { startStripeDouble, type StripeDouble } from './index'

describe('Stripe double', () => {
  let double: StripeDouble
  let stripe: Stripe
  before(async () => {
    double = await startStripeDouble()
    stripe = new Stripe(double.secretKey, { host: '127.0.0.1', port: double.port, protocol: 'http', maxNetworkRetries: 0 })
  })
  after(() => double.stop())

  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  })

  test('binds to 127.0.0.1 and answers CORS preflights from any origin', async () => {
    assert.match(double.url, /^http:\/\/127\.0\.0\.1:\d+$/)
    const response = await fetch(`${double.url}/v1/payment_intents/pi_x/confirm`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    })
    assert.equal(response.status, 204)
    assert.equal(response.headers.get('access-control-allow-origin'), '*')
    assert.match(response.headers.get('access-control-allow-methods') ?? '', /POST/)
  })

  test('idempotency: same key and parameters replay; other parameters or endpoint are 400 idempotency_error', async () => {
    const params = { amount: 700, currency: 'usd', metadata: { order: '1' } }
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'key-1' })
    const replay = await stripe.paymentIntents.create(params, { idempotencyKey: 'key-1' })
    assert.equal(replay.id, first.id)
    assert.equal(replay.lastResponse.headers['idempotent-replayed'], 'true')
    await assert.rejects(
      stripe.paymentIntents.create({ ...params, amount: 701 }, { idempotencyKey: 'key-1' }),
      (error: unknown) => error instanceof Stripe.errors.StripeIdempotencyError && /same parameters/.test(error.message),
    )
    await assert.rejects(
      stripe.refunds.create({ payment_intent: first.id }, { idempotencyKey: 'key-1' }),
      (error: unknown) => error instanceof Stripe.errors.StripeIdempotencyError && /same endpoint/.test(error.message),
    )
  })

  test('idempotency: a validation failure is not saved, so a corrected retry with the key runs', async () => {
    await assert.rejects(
      stripe.paymentIntents.create({ amount: 10, currency: 'usd' }, { idempotencyKey: 'key-2' }),
      (error: unknown) =>
        error instanceof Stripe.errors.StripeInvalidRequestError &&
        error.code === 'amount_too_small' &&
        /at least \$0\.50 usd/.test(error.message),
    )
    const corrected = await stripe.paymentIntents.create({ amount: 700, currency: 'usd' }, { idempotencyKey: 'key-2' })
    assert.equal(corrected.amount, 700)
    assert.equal(corrected.lastResponse.headers['idempotent-replayed'], undefined)
  })

  test('a card decline is saved under its idempotency key and replayed', async () => {
    const create = () =>
      stripe.paymentIntents.create(
        { amount: 700, currency: 'usd', confirm: true, payment_method: 'pm_card_chargeDeclined' },
        { idempotencyKey: 'key-decline' },
      )
    const first = await create().catch((error: unknown) => error)
    const second = await create().catch((error: unknown) => error)
    assert.ok(first instanceof Stripe.errors.StripeCardError && second instanceof Stripe.errors.StripeCardError)
    assert.equal(first.decline_code, 'generic_decline')
    assert.equal(second.payment_intent?.id, first.payment_intent?.id)
  })

  test('Stripe rules: unknown parameters, Endive payment_method_types, exclusive parameters', async () => {
    await assert.rejects(
      stripe.rawRequest('POST', '/v1/payment_intents', { amount: 700, currency: 'usd', amuont: 1 }),
      (error: unknown) =>
        error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'parameter_unknown' && error.param === 'amuont',
    )
    const endive = stripe.paymentIntents.create({
      amount: 700,
      currency: 'usd',
      payment_method_types: ['card'],
    } as Stripe.PaymentIntentCreateParams)
    await assert.rejects(
      endive,
      (error: unknown) =>
        error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'payment_method_types_no_longer_supported',
    )
    const older = await stripe.paymentIntents.create(
      { amount: 700, currency: 'usd', payment_method_types: ['card'] } as Stripe.PaymentIntentCreateParams,
      { apiVersion: '2026-07-29.preview' },
    )
    assert.deepEqual(older.payment_method_types, ['card'])
    await assert.rejects(
      stripe.paymentIntents.create({
        amount: 700,
        currency: 'usd',
        allowed_payment_method_types: ['card'],
        automatic_payment_methods: { enabled: true },
      }),
      /only specify one/,
    )
  })

  test('keys: none is 401, a malformed one is 401 with the key masked, a publishable key cannot create intents', async () => {
    const missing = await fetch(`${double.url}/v1/payment_intents`, form({ amount: '700', currency: 'usd' }))
    assert.equal(missing.status, 401)
    const bad = await fetch(`${double.url}/v1/payment_intents`, {
      ...form({ amount: '700', currency: 'usd' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer sk_wrong_1234567890' },
    })
    assert.equal(bad.status, 401)
    const body = (await bad.json()) as { error: { message: string } }
    assert.doesNotMatch(body.error.message, /1234567890/)
    const publishable = await fetch(
      `${double.url}/v1/payment_intents`,
      form({ key: double.publishableKey, amount: '700', currency: 'usd' }),
    )
    assert.equal(publishable.status, 401)
  })

  test('a publishable key needs the client secret and never sees metadata', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 700, currency: 'usd', metadata: { challenge_id: 'secret-ish' } })
    const url = `${double.url}/v1/payment_intents/${intent.id}?key=${double.publishableKey}`
    assert.equal((await fetch(url)).status, 400)
    assert.equal((await fetch(`${url}&client_secret=${intent.id}_secret_wrong`)).status, 404)
    const seen = (await (await fetch(`${url}&client_secret=${intent.client_secret}`)).json()) as Record<string, unknown>
    assert.equal(seen.id, intent.id)
    assert.equal(seen.status, 'requires_payment_method')
    assert.equal(seen.metadata, undefined)
  })

  test('Stripe.js-style typed cards, and an unknown number is incorrect_number', async () => {
    const method = await fetch(
      `${double.url}/v1/payment_methods`,
      form({ key: double.publishableKey, type: 'card', 'card[number]': '4242 4242 4242 4242' }),
    )
    const created = (await method.json()) as { id: string; card: { last4: string } }
    assert.match(created.id, /^pm_/)
    assert.equal(created.card.last4, '4242')
    const intent = await stripe.paymentIntents.confirm((await stripe.paymentIntents.create({ amount: 700, currency: 'usd' })).id, {
      payment_method: created.id,
    })
    assert.equal(intent.status, 'succeeded')
    const wrong = await fetch(
      `${double.url}/v1/payment_methods`,
      form({ key: double.publishableKey, type: 'card', 'card[number]': '1234123412341234' }),
    )
    assert.equal(wrong.status, 402)
    assert.equal(((await wrong.json()) as { error: { code: string } }).error.code, 'incorrect_number')
  })

  test('a succeeded intent cannot be confirmed again', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 700, currency: 'usd', confirm: true, payment_method: 'pm_card_visa' })
    await assert.rejects(
      stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' }),
      (error: unknown) => error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'payment_intent_unexpected_state',
    )
  })

  test('redirect-style 3-D Secure: the challenge page posts back and returns to return_url', async () => {
    const intent = await stripe.paymentIntents.create({
      amount: 700,
      currency: 'usd',
      confirm: true,
      payment_method: 'pm_card_authenticationRequired',
      return_url: 'http://localhost:3000/l/demo?paid=1',
    })
    assert.equal(intent.status, 'requires_action')
    assert.equal(intent.next_action?.type, 'redirect_to_url')
    const page = await fetch(intent.next_action?.redirect_to_url?.url ?? '')
    assert.equal(page.status, 200)
    assert.match(await page.text(), /Complete authentication/)
    const answer = await fetch(`${double.url}/_double/authenticate/${intent.id}`, {
      ...form({ client_secret: intent.client_secret ?? '', outcome: 'complete', return_url: 'http://localhost:3000/l/demo?paid=1' }),
      redirect: 'manual',
    })
    assert.equal(answer.status, 303)
    const location = new URL(answer.headers.get('location') ?? '')
    assert.equal(location.searchParams.get('paid'), '1')
    assert.equal(location.searchParams.get('payment_intent'), intent.id)
    assert.equal(location.searchParams.get('redirect_status'), 'succeeded')
    assert.equal((await stripe.paymentIntents.retrieve(intent.id)).status, 'succeeded')
  })

  test('error_on_requires_action turns 3-D Secure into an authentication_required decline', async () => {
    const error = await stripe.paymentIntents
      .create({
        amount: 700,
        currency: 'usd',
        confirm: true,
        payment_method: 'pm_card_authenticationRequired',
        error_on_requires_action: true,
      })
      .catch((caught: unknown) => caught)
    assert.ok(error instanceof Stripe.errors.StripeCardError)
    assert.equal(error.code, 'authentication_required')
  })

  test('partial refunds add up and stop at the charge amount', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method: 'pm_card_visa' })
    await stripe.refunds.create({ payment_intent: intent.id, amount: 400 })
    await assert.rejects(
      stripe.refunds.create({ payment_intent: intent.id, amount: 700 }),
      (error: unknown) => error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'amount_too_large',
    )
    await stripe.refunds.create({ payment_intent: intent.id })
    const charge = await stripe.charges.retrieve(String(intent.latest_charge))
    assert.equal(charge.amount_refunded, 1000)
    assert.equal(charge.refunded, true)
    assert.equal((await stripe.refunds.list({ payment_intent: intent.id })).data.length, 2)
  })

  test('events are recorded in order and can be listed', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 700, currency: 'usd', confirm: true, payment_method: 'pm_card_visa' })
    const types = double.events
      .filter(
        (e) =>
          (e.data.object as { id: string; payment_intent?: string }).id === intent.id ||
          (e.data.object as { payment_intent?: string }).payment_intent === intent.id,
      )
      .map((e) => e.type)
    assert.deepEqual(types, ['payment_intent.created', 'charge.succeeded', 'payment_intent.succeeded'])
    const listed = await stripe.events.list()
    assert.equal(listed.data[0]?.type, 'payment_intent.succeeded')
  })
})
