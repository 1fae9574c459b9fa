import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import Stripe from 'stripe'
import type { Db, DbHandle } from '@/lib/store/db'
import * as Settlements from '@/lib/store/settlements'
import { describeEachDatabase } from '@/test/support/databases'
import { WebhookPayloadError, WebhookSignatureError } from './Errors'
import { handleWebhookEvent, parseWebhook, type SucceededPayment } from './Webhook'

const secret = 'whsec_unitTestSecret'

function event(type: string, object: Record<string, unknown>, id = `evt_${Math.random().toString(36).slice(2)}`): Stripe.Event {
  return {
    id,
    object: 'event',
    type,
    created: 1,
    livemode: false,
    api_version: Stripe.API_VERSION,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object },
  } as unknown as Stripe.Event
}

function succeeded(id: string, metadata: Record<string, string> = { challenge_id: 'ch_1', link_id: 'link_1' }): Stripe.Event {
  return event('payment_intent.succeeded', {
    id,
    object: 'payment_intent',
    amount: 500,
    amount_received: 500,
    currency: 'usd',
    status: 'succeeded',
    metadata,
  })
}

describe('parseWebhook', () => {
  const body = JSON.stringify(succeeded('pi_signed'))

  test('returns the event when the signature over the raw body is valid', () => {
    const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret })
    assert.equal(parseWebhook(secret, body, header).id, JSON.parse(body).id)
    assert.equal(parseWebhook(secret, new TextEncoder().encode(body), header).type, 'payment_intent.succeeded')
  })

  test('refuses a missing, wrong, stale or mismatched signature with WebhookSignatureError', () => {
    const wrongSecret = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: 'whsec_other' })
    const stale = Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: Math.floor(Date.now() / 1000) - 3600 })
    const valid = Stripe.webhooks.generateTestHeaderString({ payload: body, secret })
    const cases: Array<[string | Uint8Array, string | null | undefined]> = [
      [body, null],
      [body, ''],
      [body, 'garbage'],
      [body, wrongSecret],
      [body, stale],
      [body.replace('"usd"', '"eur"'), valid],
    ]
    for (const [payload, header] of cases) assert.throws(() => parseWebhook(secret, payload, header), WebhookSignatureError)
  })

  test('refuses a correctly signed body that is not a readable event with WebhookPayloadError (found by fuzzing: these were 500s)', () => {
    const bodies = [
      'null',
      '[]',
      JSON.stringify({ id: null, type: 'charge.refunded', data: { object: {} } }),
      JSON.stringify({ id: 'evt_1', type: 'payment_intent.succeeded' }),
      JSON.stringify(event('payment_intent.succeeded', { id: [], amount_received: 5, currency: 'usd', metadata: {} })),
      JSON.stringify(event('payment_intent.succeeded', { id: 'pi_1', amount_received: '5', currency: 'usd', metadata: {} })),
      JSON.stringify(event('payment_intent.succeeded', { id: 'pi_1', amount_received: 5, currency: 'usd', metadata: { link_id: 7 } })),
      JSON.stringify(event('charge.refunded', { id: 'ch_1', payment_intent: 'pi_1', amount_refunded: -1, refunded: true })),
      // PostgreSQL cannot store NUL: an id or a metadata value carrying one could only fail the handler.
      JSON.stringify(event('payment_intent.succeeded', { id: 'pi_1', amount_received: 5, currency: 'usd', metadata: {} }, 'evt_\u0000')),
      JSON.stringify(
        event('payment_intent.succeeded', { id: 'pi_1', amount_received: 5, currency: 'usd', metadata: { challenge_id: 'c\u0000' } }),
      ),
    ]
    for (const payload of bodies) {
      const header = Stripe.webhooks.generateTestHeaderString({ payload, secret })
      assert.throws(() => parseWebhook(secret, payload, header), WebhookPayloadError, payload)
    }
    for (const type of ['customer.created', 'valueOf', '__proto__', 'constructor']) {
      const other = JSON.stringify(event(type, { id: 'cus_1', anything: [1, 2] }))
      assert.equal(
        parseWebhook(secret, other, Stripe.webhooks.generateTestHeaderString({ payload: other, secret })).type,
        type,
        'event types we do not handle pass as they are',
      )
    }
  })
})

// Dedup rests on the database (a unique event id inside the handler's transaction): test both drivers.
describeEachDatabase('handleWebhookEvent', (factory) => {
  let handle: DbHandle
  let db: Db
  before(async () => {
    handle = await factory.open()
    db = handle.db
  })
  after(() => handle?.close())

  test('the same event delivered three times runs the handler once', async () => {
    const seen: SucceededPayment[] = []
    const delivery = succeeded('pi_thrice')
    const outcomes = []
    for (let i = 0; i < 3; i++)
      outcomes.push((await handleWebhookEvent(db, delivery, { onPaymentSucceeded: async (payment) => void seen.push(payment) })).outcome)
    assert.deepEqual(outcomes, ['handled', 'duplicate', 'duplicate'])
    assert.equal(seen.length, 1)
    assert.deepEqual(
      {
        reference: seen[0]?.reference,
        settlementKey: seen[0]?.settlementKey,
        amountCents: seen[0]?.amountCents,
        challengeId: seen[0]?.challengeId,
        linkId: seen[0]?.linkId,
      },
      { reference: 'pi_thrice', settlementKey: 'stripe:pi_thrice', amountCents: 500, challengeId: 'ch_1', linkId: 'link_1' },
    )
  })

  test('concurrent redeliveries still run the handler once, even while the first is slow', async () => {
    let runs = 0
    const delivery = succeeded('pi_concurrent')
    const slow = { onPaymentSucceeded: async () => void (runs++, await new Promise((resolve) => setTimeout(resolve, 50))) }
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => handleWebhookEvent(db, delivery, slow)))
    assert.equal(runs, 1)
    assert.deepEqual(outcomes.filter((o) => o.outcome === 'handled').length, 1)
  })

  test('a redelivery racing a failing first attempt runs the handler after the rollback', async () => {
    const delivery = succeeded('pi_race_failure')
    let attempts = 0
    const handlers = {
      async onPaymentSucceeded() {
        attempts++
        if (attempts === 1) {
          await new Promise((resolve) => setTimeout(resolve, 50))
          throw new Error('first attempt fails')
        }
      },
    }
    // Whichever delivery takes the event id first fails; the other waits for its rollback, then handles it.
    const results = await Promise.allSettled([handleWebhookEvent(db, delivery, handlers), handleWebhookEvent(db, delivery, handlers)])
    assert.equal(results.filter((r) => r.status === 'rejected').length, 1)
    assert.deepEqual(
      results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.outcome] : [])),
      ['handled'],
    )
    assert.equal(attempts, 2)
  })

  test('a failing handler records nothing, so the redelivery runs it again', async () => {
    const delivery = succeeded('pi_flaky')
    let attempts = 0
    const handlers = {
      async onPaymentSucceeded(payment: SucceededPayment, { tx }: { tx: Db }) {
        attempts++
        await Settlements.claim(tx, { replayKey: `test:${payment.reference}:${attempts}`, rail: 'stripe' })
        if (attempts === 1) throw new Error('database hiccup')
      },
    }
    await assert.rejects(handleWebhookEvent(db, delivery, handlers), /database hiccup/)
    // The handler's own writes were rolled back with the event record.
    assert.equal(await Settlements.get(db, 'test:pi_flaky:1'), null)
    assert.equal((await handleWebhookEvent(db, delivery, handlers)).outcome, 'handled')
    assert.equal((await handleWebhookEvent(db, delivery, handlers)).outcome, 'duplicate')
    assert.equal(attempts, 2)
    assert.notEqual(await Settlements.get(db, 'test:pi_flaky:2'), null)
  })

  test('ignores unknown event types and PaymentIntents Tollgate did not create', async () => {
    let runs = 0
    const handlers = { onPaymentSucceeded: async () => void runs++, onRefunded: async () => void runs++ }
    assert.equal((await handleWebhookEvent(db, event('customer.created', { id: 'cus_1' }), handlers)).outcome, 'ignored')
    assert.equal((await handleWebhookEvent(db, succeeded('pi_foreign', { order: '42' }), handlers)).outcome, 'ignored')
    assert.equal((await handleWebhookEvent(db, succeeded('pi_nohandler'), {})).outcome, 'ignored')
    assert.equal(runs, 0)
  })

  test('charge.refunded reports the PaymentIntent and whether the refund is full', async () => {
    const refunds: Array<{ paymentIntentId: string; settlementKey: string; amountRefundedCents: number; fullyRefunded: boolean }> = []
    const charge = {
      id: 'ch_1',
      object: 'charge',
      amount: 500,
      amount_refunded: 500,
      refunded: true,
      payment_intent: 'pi_refunded',
      currency: 'usd',
    }
    const outcome = await handleWebhookEvent(db, event('charge.refunded', charge), {
      onRefunded: async (refund) => void refunds.push(refund),
    })
    assert.equal(outcome.outcome, 'handled')
    assert.deepEqual(
      refunds.map(({ paymentIntentId, settlementKey, amountRefundedCents, fullyRefunded }) => ({
        paymentIntentId,
        settlementKey,
        amountRefundedCents,
        fullyRefunded,
      })),
      [{ paymentIntentId: 'pi_refunded', settlementKey: 'stripe:pi_refunded', amountRefundedCents: 500, fullyRefunded: true }],
    )
  })
})
