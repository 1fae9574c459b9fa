// Webhooks and refunds end to end: the Stripe double signs and delivers events to a small endpoint that
// does what the app's webhook route does with the rail (raw body -> parseWebhook -> handleWebhookEvent).
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, beforeEach, describe, test } from 'node:test'
import type Stripe from 'stripe'
import type * as Challenge from '@/lib/protocol/Challenge'
import {
  RefundFailedError,
  WebhookSignatureError,
  type RefundedCharge,
  type SucceededPayment,
  type WebhookHandlers,
} from '@/lib/rails/stripe'
import * as Settlements from '@/lib/store/settlements'
import { startStripeRailFixture, type StripeRailFixture } from './stripe-fixture'

describe('Stripe rail, webhooks and refunds', () => {
  let f: StripeRailFixture
  let endpoint: Server
  let payments: SucceededPayment[]
  let refunds: RefundedCharge[]
  let failNextHandler = 0
  const handlers: WebhookHandlers = {
    // The effect is a row written through the event's transaction, as the app records a payment.
    async onPaymentSucceeded(payment, { tx }) {
      if (failNextHandler > 0) {
        failNextHandler--
        throw new Error('handler failed')
      }
      await Settlements.claim(tx, { replayKey: `webhook:${payment.reference}`, rail: 'stripe', amount: String(payment.amountCents) })
      payments.push(payment)
    },
    async onRefunded(refund) {
      refunds.push(refund)
    },
  }

  before(async () => {
    f = await startStripeRailFixture({ webhookEvents: ['payment_intent.succeeded', 'charge.refunded'], webhookRetryDelaysMs: [20, 20, 20] })
    endpoint = createServer(async (request, response) => {
      const chunks: Buffer[] = []
      for await (const chunk of request) chunks.push(chunk as Buffer)
      let event: Stripe.Event
      try {
        event = f.rail.parseWebhook(Buffer.concat(chunks), request.headers['stripe-signature'] as string | undefined)
      } catch (error) {
        response.writeHead(error instanceof WebhookSignatureError ? 400 : 500).end()
        return
      }
      try {
        const result = await f.rail.handleWebhookEvent(event, handlers)
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result))
      } catch {
        response.writeHead(500).end()
      }
    })
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve))
    f.double.setWebhookEndpoint({
      url: `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/api/stripe/webhook`,
      events: ['payment_intent.succeeded', 'charge.refunded'],
    })
  })
  beforeEach(() => {
    payments = []
    refunds = []
    failNextHandler = 0
  })
  after(async () => {
    await f.stop()
    endpoint.closeAllConnections()
    await new Promise((resolve) => endpoint.close(resolve))
  })

  async function paidIntent(amountCents = 500): Promise<{ id: string; clientSecret: string; challenge: Challenge.Challenge }> {
    const challenge = f.challengeFor(amountCents)
    const intent = await f.rail.createPaymentIntentForChallenge({ challengeId: challenge.id, linkId: 'link_w', amountCents })
    const { body } = await f.confirmInBrowser(intent, '4242424242424242')
    assert.equal(body.status, 'succeeded')
    return { ...intent, challenge }
  }

  test('a page closed after confirmation still reports the payment through payment_intent.succeeded', async () => {
    const intent = await paidIntent()
    await f.double.webhooksIdle()
    assert.deepEqual(
      payments.map(({ reference, settlementKey, amountCents, currency, challengeId, linkId }) => ({
        reference,
        settlementKey,
        amountCents,
        currency,
        challengeId,
        linkId,
      })),
      [
        {
          reference: intent.id,
          settlementKey: `stripe:${intent.id}`,
          amountCents: 500,
          currency: 'usd',
          challengeId: intent.challenge.id,
          linkId: 'link_w',
        },
      ],
    )
    // The webhook does not consume the credential: a page that did stay open can still redeem it, once.
    const settled = await f.rail.settleMppCredential({
      challenge: intent.challenge,
      payload: { paymentIntent: intent.id },
      linkId: 'link_w',
    })
    assert.equal(settled.settlementKey, payments[0]?.settlementKey)
  })

  test('the same event delivered three times records one payment', async () => {
    const intent = await paidIntent()
    await f.double.webhooksIdle()
    const event = f.double.events.find(
      (e) => e.type === 'payment_intent.succeeded' && (e.data.object as Stripe.PaymentIntent).id === intent.id,
    )
    assert.ok(event)
    const answers = []
    for (let i = 0; i < 3; i++) answers.push(await f.double.deliver(event))
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200],
    )
    assert.deepEqual(
      answers.map((a) => JSON.parse(a.body).outcome),
      ['duplicate', 'duplicate', 'duplicate'],
    )
    assert.equal(payments.filter((p) => p.reference === intent.id).length, 1)
    assert.equal((await Settlements.get(f.db, `webhook:${intent.id}`))?.amount, '500')
  })

  test('a bad signature is a 400 and handles nothing', async () => {
    const intent = await paidIntent()
    await f.double.webhooksIdle()
    payments = []
    const event = f.double.events.find(
      (e) => e.type === 'payment_intent.succeeded' && (e.data.object as Stripe.PaymentIntent).id === intent.id,
    )
    assert.ok(event)
    const forged = { ...event, id: 'evt_forged123' } as Stripe.Event
    assert.equal((await f.double.deliver(forged, { secret: 'whsec_notOurs' })).status, 400)
    assert.equal((await f.double.deliver(forged, { signature: 't=1,v1=deadbeef' })).status, 400)
    assert.equal(payments.length, 0)
    assert.throws(() => f.rail.parseWebhook(JSON.stringify(forged), undefined), WebhookSignatureError)
  })

  test('a failing handler answers 5xx, Stripe retries, and the payment is recorded once', async () => {
    failNextHandler = 1
    const intent = await paidIntent()
    await f.double.webhooksIdle()
    const attempts = f.double.deliveries.filter(
      (d) =>
        d.type === 'payment_intent.succeeded' &&
        d.eventId ===
          f.double.events.find((e) => e.type === 'payment_intent.succeeded' && (e.data.object as Stripe.PaymentIntent).id === intent.id)
            ?.id,
    )
    assert.deepEqual(
      attempts.map((a) => a.status),
      [500, 200],
    )
    assert.equal(payments.filter((p) => p.reference === intent.id).length, 1)
  })

  test('refund is idempotent and charge.refunded reports it', async () => {
    const intent = await paidIntent(800)
    const first = await f.rail.refund(intent.id)
    const second = await f.rail.refund(intent.id)
    assert.equal(second.id, first.id)
    assert.equal(first.amountCents, 800)
    assert.equal(first.status, 'succeeded')
    assert.equal(first.alreadyRefunded, false)
    assert.equal(second.alreadyRefunded, true)
    await f.double.webhooksIdle()
    assert.deepEqual(
      refunds.map(({ paymentIntentId, amountRefundedCents, fullyRefunded }) => ({ paymentIntentId, amountRefundedCents, fullyRefunded })),
      [{ paymentIntentId: intent.id, amountRefundedCents: 800, fullyRefunded: true }],
    )
  })

  test('a payment refunded elsewhere (dashboard) answers with that refund', async () => {
    const intent = await paidIntent()
    const fromDashboard = await f.stripe.refunds.create({ payment_intent: intent.id })
    const ours = await f.rail.refund(intent.id)
    assert.equal(ours.id, fromDashboard.id)
    assert.equal(ours.alreadyRefunded, true)
  })

  test('refunding a payment that never succeeded fails with RefundFailedError', async () => {
    const challenge = f.challengeFor(500)
    const unpaid = await f.rail.createPaymentIntentForChallenge({ challengeId: challenge.id, linkId: 'link_w', amountCents: 500 })
    await assert.rejects(f.rail.refund(unpaid.id), RefundFailedError)
    await assert.rejects(f.rail.refund('ch_notAnIntent'), RefundFailedError)
  })
})
