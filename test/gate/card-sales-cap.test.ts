// Capped links and card payments, through the app's own route handlers in this process (the gate
// runtime from the environment, an embedded database, the Stripe double, its signed webhooks delivered
// to the webhook route): a card takes its slot when its PaymentIntent is created, so two cards never
// both pay for the last copy; the slot is released when the intent is canceled or its hold expires,
// becomes the sale when the payment is recorded, and reopens when the payment is refunded.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { eq } from 'drizzle-orm'
import Stripe from 'stripe'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Credential from '@/lib/protocol/Credential'
import { createDatabase, startPostgres, type PostgresServer } from '@/test/support/postgres'

const visa = '4242424242424242'
const merchantAddress = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

type Intent = { clientSecret: string; publishableKey: string; paymentIntentId: string; receiptUrl: string; cookie: string }

describe('capped links and card payments', async () => {
  const { startStripeDouble } = await import('@/test/stripe-double')
  let double: Awaited<ReturnType<typeof startStripeDouble>>
  let endpoint: Server
  let dataDir: string
  let postgres: PostgresServer | null = null
  let publicUrl: string
  // Loaded after the environment is set: the runtime reads it once.
  let app: {
    getGate: typeof import('@/lib/gate/runtime').getGate
    handleLinkRequest: typeof import('@/lib/gate/link-request').handleLinkRequest
    handleCardPaymentIntentRequest: typeof import('@/lib/checkout/card/payment-intent').handleCardPaymentIntentRequest
    handleStripeWebhookRequest: typeof import('@/lib/checkout/card/stripe-webhook').handleStripeWebhookRequest
    Links: typeof import('@/lib/links')
    Merchants: typeof import('@/lib/merchants')
    DashboardPayments: typeof import('@/lib/payments')
    LinkSales: typeof import('@/lib/store/link-sales')
    schema: typeof import('@/lib/store/schema')
  }
  let merchantId: string
  let merchantStripe: Stripe
  const webhookEvents = ['payment_intent.succeeded', 'payment_intent.canceled', 'charge.refunded']

  before(async () => {
    double = await startStripeDouble({ webhookEvents, webhookRetryDelaysMs: [20, 50, 100] })
    endpoint = createServer(async (request, response) => {
      const chunks: Buffer[] = []
      for await (const chunk of request) chunks.push(chunk as Buffer)
      const answer = await app.handleStripeWebhookRequest(
        new Request(`${publicUrl}/api/stripe/webhook`, {
          method: 'POST',
          headers: { 'stripe-signature': String(request.headers['stripe-signature'] ?? '') },
          body: Buffer.concat(chunks),
        }),
      )
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text())
    })
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve))
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-card-cap-'))
    publicUrl = 'http://127.0.0.1:3999'
    // PostgreSQL when installed: concurrent buyers then really run in parallel (PGlite serves one query at a time).
    postgres = await startPostgres()
    if (postgres) process.env.DATABASE_URL = await createDatabase(postgres, `card_cap_${randomBytes(6).toString('hex')}`)
    else delete process.env.DATABASE_URL
    Object.assign(process.env, {
      DATA_DIR: dataDir,
      PUBLIC_URL: publicUrl,
      MPP_SECRET_KEY: randomBytes(32).toString('base64url'),
      STRIPE_SECRET_KEY: double.secretKey,
      NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY: double.publishableKey,
      STRIPE_WEBHOOK_SECRET: double.webhookSecret,
      STRIPE_API_BASE: double.url,
      RATE_LIMIT_CHALLENGES_PER_MINUTE: '100000',
      RATE_LIMIT_CREDENTIALS_PER_MINUTE: '100000',
    })
    delete process.env.EVM_RPC_URL
    app = {
      getGate: (await import('@/lib/gate/runtime')).getGate,
      handleLinkRequest: (await import('@/lib/gate/link-request')).handleLinkRequest,
      handleCardPaymentIntentRequest: (await import('@/lib/checkout/card/payment-intent')).handleCardPaymentIntentRequest,
      handleStripeWebhookRequest: (await import('@/lib/checkout/card/stripe-webhook')).handleStripeWebhookRequest,
      Links: await import('@/lib/links'),
      Merchants: await import('@/lib/merchants'),
      DashboardPayments: await import('@/lib/payments'),
      LinkSales: await import('@/lib/store/link-sales'),
      schema: await import('@/lib/store/schema'),
    }
    const gate = await app.getGate()
    merchantId = (await app.Merchants.ensureMerchant(gate.db, merchantAddress)).id
    double.setWebhookEndpoint({ url: webhookUrl(), events: webhookEvents })
    merchantStripe = new Stripe(double.secretKey, { host: '127.0.0.1', port: double.port, protocol: 'http', maxNetworkRetries: 0 })
  })
  after(async () => {
    await double?.webhooksIdle()
    endpoint?.closeAllConnections()
    await new Promise((resolve) => endpoint?.close(resolve))
    const { getDbHandle } = await import('@/lib/store/db')
    await (await getDbHandle()).close()
    await double?.stop()
    await postgres?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  function webhookUrl(): string {
    return `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/api/stripe/webhook`
  }

  let linkCount = 0
  async function cappedLink(maxPayments: number): Promise<{ id: string; slug: string }> {
    const gate = await app.getGate()
    const link = await app.Links.createLink(gate.db, merchantId, {
      slug: `copies-${++linkCount}-${randomBytes(3).toString('hex')}`,
      title: 'Only a few copies',
      price: '0.50',
      rails: ['stripe'],
      recipient: merchantAddress,
      resource: { kind: 'inline', contentType: 'text/plain', body: 'the paid text' },
      accessPolicy: { kind: 'once' },
      maxPayments,
    })
    return { id: link.id, slug: link.slug }
  }

  async function open(slug: string, headers: Record<string, string> = {}): Promise<Response> {
    return app.handleLinkRequest(new Request(`${publicUrl}/l/${slug}`, { headers: { accept: 'application/json', ...headers } }), slug)
  }

  async function stripeChallenge(slug: string): Promise<Challenge.Challenge> {
    const response = await open(slug)
    assert.equal(response.status, 402, await response.clone().text())
    const challenge = Challenge.deserializeList(response.headers.get('www-authenticate') ?? '').find((c) => c.method === 'stripe')
    assert.ok(challenge)
    return challenge
  }

  async function askForIntent(slug: string, challenge: Challenge.Challenge): Promise<Response> {
    return app.handleCardPaymentIntentRequest(
      new Request(`${publicUrl}/api/checkout/payment-intent`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: `/l/${slug}`, challenge: Challenge.serialize(challenge) }),
      }),
    )
  }

  async function createIntent(slug: string, challenge: Challenge.Challenge): Promise<Intent> {
    const response = await askForIntent(slug, challenge)
    const text = await response.text()
    assert.equal(response.status, 200, text)
    return { ...(JSON.parse(text) as Omit<Intent, 'cookie'>), cookie: (response.headers.get('set-cookie') ?? '').split(';')[0]! }
  }

  async function confirmInBrowser(intent: Intent, cardNumber = visa): Promise<string> {
    const response = await fetch(`${double.url}/v1/payment_intents/${intent.paymentIntentId}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        key: intent.publishableKey,
        client_secret: intent.clientSecret,
        'payment_method_data[type]': 'card',
        'payment_method_data[card][number]': cardNumber,
        'payment_method_data[card][exp_month]': '12',
        'payment_method_data[card][exp_year]': '2034',
        'payment_method_data[card][cvc]': '123',
      }).toString(),
    })
    return ((await response.json()) as { status: string }).status
  }

  async function payWithIntent(slug: string, challenge: Challenge.Challenge, intent: Intent): Promise<Response> {
    return open(slug, { authorization: Credential.serialize({ challenge, payload: { paymentIntent: intent.paymentIntentId } }) })
  }

  async function paymentsOf(linkId: string) {
    const gate = await app.getGate()
    return gate.db.select().from(app.schema.payments).where(eq(app.schema.payments.linkId, linkId))
  }

  async function salesTaken(linkId: string): Promise<number> {
    const gate = await app.getGate()
    const [row] = await gate.db.select({ n: app.schema.links.salesReserved }).from(app.schema.links).where(eq(app.schema.links.id, linkId))
    return row!.n
  }

  function intentsFor(linkId: string): Stripe.PaymentIntent[] {
    return [...double.intents.values()].filter(
      (intent) => (intent.metadata as Record<string, string>).link_id === linkId,
    ) as unknown as Stripe.PaymentIntent[]
  }

  function eventFor(type: string, paymentIntentId: string): Stripe.Event {
    const event = double.events.find(
      (e) =>
        e.type === type &&
        ((e.data.object as { payment_intent?: string; id: string }).payment_intent ?? (e.data.object as { id: string }).id) ===
          paymentIntentId,
    )
    assert.ok(event, `${type} for ${paymentIntentId}`)
    return event
  }

  async function assertSoldOut(response: Response): Promise<void> {
    const text = await response.text()
    assert.equal(response.status, 410, text)
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/)
    assert.match(text, /sold out/i)
  }

  test('two cards racing for the last copy: one PaymentIntent is created, the other buyer is refused before any charge', async () => {
    const link = await cappedLink(1)
    const [a, b] = [await stripeChallenge(link.slug), await stripeChallenge(link.slug)]
    const answers = await Promise.all([askForIntent(link.slug, a), askForIntent(link.slug, b)])
    const statuses = answers.map((r) => r.status).sort()
    assert.deepEqual(statuses, [200, 410], 'exactly one buyer gets a PaymentIntent')
    assert.equal(intentsFor(link.id).length, 1, 'Stripe saw one PaymentIntent for the last copy')
    const winner = answers.findIndex((r) => r.status === 200)
    await assertSoldOut(answers[1 - winner]!)

    const intent = { ...((await answers[winner]!.json()) as Omit<Intent, 'cookie'>), cookie: '' }
    assert.equal(await confirmInBrowser(intent), 'succeeded')
    const paid = await payWithIntent(link.slug, [a, b][winner]!, intent)
    assert.equal(paid.status, 200, await paid.clone().text())
    assert.equal(await paid.text(), 'the paid text')
    await double.webhooksIdle()
    assert.equal((await paymentsOf(link.id)).length, 1)
    assert.equal(await salesTaken(link.id), 1)
    // Asking again for the winner's own intent is the same intent, not a second slot.
    const again = await askForIntent(link.slug, [a, b][winner]!)
    assert.equal(again.status, 410, 'the link is sold out now; a paid challenge gets no new intent')
    await again.body?.cancel()
    assert.equal((await open(link.slug)).status, 410)
  })

  test('eight buyers for the last three copies: three PaymentIntents, five refusals, never a fourth charge', async () => {
    const link = await cappedLink(3)
    const challenges = await Promise.all(Array.from({ length: 8 }, () => stripeChallenge(link.slug)))
    const answers = await Promise.all(challenges.map((challenge) => askForIntent(link.slug, challenge)))
    assert.deepEqual(answers.map((r) => r.status).sort(), [200, 200, 200, 410, 410, 410, 410, 410])
    for (const refused of answers.filter((r) => r.status === 410)) await assertSoldOut(refused)
    assert.equal(intentsFor(link.id).length, 3)
    assert.equal(await salesTaken(link.id), 3)
  })

  test('asking twice for the same challenge holds one slot and returns the same intent', async () => {
    const link = await cappedLink(2)
    const challenge = await stripeChallenge(link.slug)
    const [first, second] = [await createIntent(link.slug, challenge), await createIntent(link.slug, challenge)]
    assert.equal(second.paymentIntentId, first.paymentIntentId)
    assert.equal(await salesTaken(link.id), 1)
    const other = await createIntent(link.slug, await stripeChallenge(link.slug))
    assert.notEqual(other.paymentIntentId, first.paymentIntentId)
    assert.equal(await salesTaken(link.id), 2)
    await assertSoldOut(await askForIntent(link.slug, await stripeChallenge(link.slug)))
  })

  test('an unpaid hold that expires frees its slot once; payments that succeed after that are still recorded and delivered, past the cap', async () => {
    const link = await cappedLink(1)
    const gate = await app.getGate()
    const { releaseExpiredHolds } = await import('@/lib/links/release-expired-holds')
    const afterExpiry = new Date(Date.now() + 3600_000)
    // Two payers in turn hold the only copy and leave their checkout unpaid until their holds expire.
    const late: Array<{ challenge: Challenge.Challenge; intent: Intent }> = []
    for (let i = 0; i < 2; i++) {
      const challenge = await stripeChallenge(link.slug)
      late.push({ challenge, intent: await createIntent(link.slug, challenge) })
      await assertSoldOut(await askForIntent(link.slug, await stripeChallenge(link.slug)))
      assert.equal(await releaseExpiredHolds(gate.db, new Date()), 0, 'a fresh hold is not expired')
      // The periodic sweep (all links: earlier tests' unpaid holds expire too).
      assert.ok((await releaseExpiredHolds(gate.db, afterExpiry)) >= 1)
      assert.equal(await releaseExpiredHolds(gate.db, afterExpiry), 0, 'released once')
      assert.equal(await salesTaken(link.id), 0)
    }

    // The freed copy goes to someone else, who pays: the link is sold out.
    const next = await stripeChallenge(link.slug)
    const nextIntent = await createIntent(link.slug, next)
    assert.equal(await confirmInBrowser(nextIntent), 'succeeded')
    assert.equal((await payWithIntent(link.slug, next, nextIntent)).status, 200)
    assert.equal((await open(link.slug)).status, 410)

    // The first late payer pays anyway and the webhook records it first (three deliveries): the money
    // moved, so it is recorded, and the grant cookie the checkout set opens the link.
    assert.equal(await confirmInBrowser(late[0]!.intent), 'succeeded')
    await double.webhooksIdle()
    for (let i = 0; i < 2; i++)
      assert.equal((await double.deliver(eventFor('payment_intent.succeeded', late[0]!.intent.paymentIntentId))).status, 200)
    const reload = await open(link.slug, { cookie: late[0]!.intent.cookie })
    assert.equal(reload.status, 200, await reload.clone().text())
    assert.equal(await reload.text(), 'the paid text')

    // The second one's credential arrives before any webhook, without a cookie: delivered all the same.
    double.setWebhookEndpoint(null)
    assert.equal(await confirmInBrowser(late[1]!.intent), 'succeeded')
    const delivered = await payWithIntent(link.slug, late[1]!.challenge, late[1]!.intent)
    assert.equal(delivered.status, 200, await delivered.clone().text())
    assert.equal(await delivered.text(), 'the paid text')
    double.setWebhookEndpoint({ url: webhookUrl(), events: webhookEvents })
    for (let i = 0; i < 2; i++)
      assert.equal((await double.deliver(eventFor('payment_intent.succeeded', late[1]!.intent.paymentIntentId))).status, 200)

    assert.equal((await paymentsOf(link.id)).length, 3, 'every payment recorded: two past the cap of 1')
    assert.equal(await salesTaken(link.id), 3, 'each late sale counts once, whichever path recorded it and however often its event came')
    assert.equal((await open(link.slug)).status, 410)
  })

  test('a canceled PaymentIntent gives its slot back once, however many times the event is delivered', async () => {
    const link = await cappedLink(2)
    await createIntent(link.slug, await stripeChallenge(link.slug))
    const canceled = await createIntent(link.slug, await stripeChallenge(link.slug))
    assert.equal(await salesTaken(link.id), 2)
    await merchantStripe.paymentIntents.cancel(canceled.paymentIntentId)
    await double.webhooksIdle()
    assert.equal(await salesTaken(link.id), 1)
    for (let i = 0; i < 2; i++)
      assert.equal((await double.deliver(eventFor('payment_intent.canceled', canceled.paymentIntentId))).status, 200)
    assert.equal(await salesTaken(link.id), 1, 'released once')
    // The slot is free for another buyer; the link is full again after that.
    await createIntent(link.slug, await stripeChallenge(link.slug))
    await assertSoldOut(await askForIntent(link.slug, await stripeChallenge(link.slug)))
  })

  test('a refund reopens one slot, once, whether it came from the dashboard, Stripe, or both, however often the event comes', async () => {
    const link = await cappedLink(3)
    const paid: Intent[] = []
    for (let i = 0; i < 3; i++) {
      const challenge = await stripeChallenge(link.slug)
      const intent = await createIntent(link.slug, challenge)
      assert.equal(await confirmInBrowser(intent), 'succeeded')
      assert.equal((await payWithIntent(link.slug, challenge, intent)).status, 200)
      paid.push(intent)
    }
    await double.webhooksIdle()
    assert.equal(await salesTaken(link.id), 3)
    assert.equal((await open(link.slug)).status, 410)

    // From the dashboard: Stripe's charge.refunded comes too, and again.
    const gate = await app.getGate()
    const receiptId = paid[0]!.receiptUrl.slice('/receipts/'.length)
    const refunded = await app.DashboardPayments.refundPayment(gate.db, merchantId, receiptId, gate.stripe)
    assert.equal(refunded.status, 'refunded')
    await double.webhooksIdle()
    for (let i = 0; i < 2; i++) assert.equal((await double.deliver(eventFor('charge.refunded', paid[0]!.paymentIntentId))).status, 200)
    await assert.rejects(
      app.DashboardPayments.refundPayment(gate.db, merchantId, receiptId, gate.stripe),
      app.DashboardPayments.NotRefundableError,
    )
    assert.equal(await salesTaken(link.id), 2, 'one refund, one slot')

    // From the Stripe dashboard: only the webhook tells us.
    await merchantStripe.refunds.create({ payment_intent: paid[1]!.paymentIntentId })
    await double.webhooksIdle()
    assert.equal((await double.deliver(eventFor('charge.refunded', paid[1]!.paymentIntentId))).status, 200)
    assert.equal(await salesTaken(link.id), 1)

    // Two copies are for sale again, not three.
    await createIntent(link.slug, await stripeChallenge(link.slug))
    await createIntent(link.slug, await stripeChallenge(link.slug))
    await assertSoldOut(await askForIntent(link.slug, await stripeChallenge(link.slug)))
  })

  test('a cap set on a link that already sold counts its earlier sales', async () => {
    const link = await cappedLink(5)
    const gate = await app.getGate()
    await app.Links.updateLink(gate.db, merchantId, link.id, { maxPayments: null })
    for (let i = 0; i < 2; i++) {
      const challenge = await stripeChallenge(link.slug)
      const intent = await createIntent(link.slug, challenge)
      assert.equal(await confirmInBrowser(intent), 'succeeded')
      assert.equal((await payWithIntent(link.slug, challenge, intent)).status, 200)
    }
    await double.webhooksIdle()
    await app.Links.updateLink(gate.db, merchantId, link.id, { maxPayments: 3 })
    assert.equal(await salesTaken(link.id), 2)
    await createIntent(link.slug, await stripeChallenge(link.slug))
    await assertSoldOut(await askForIntent(link.slug, await stripeChallenge(link.slug)))
    // Changing the cap of a capped link keeps its count (the unpaid hold included).
    await app.Links.updateLink(gate.db, merchantId, link.id, { maxPayments: 4 })
    assert.equal(await salesTaken(link.id), 3)
  })

  test('an agent paying with a Shared Payment Token takes a slot before Stripe charges, and is refused without a charge when none is left', async () => {
    const link = await cappedLink(2)
    const spt = (prefix: string) => `${prefix}${randomBytes(6).toString('hex')}`
    const payWithToken = async (token: string) => {
      const challenge = await stripeChallenge(link.slug)
      return open(link.slug, { authorization: Credential.serialize({ challenge, payload: { spt: token } }) })
    }
    // A declined token gives its slot back.
    const declined = await payWithToken(spt('spt_testDeclined'))
    assert.equal(declined.status, 402)
    await declined.body?.cancel()
    assert.equal(await salesTaken(link.id), 0)
    const ok = await payWithToken(spt('spt_testOk'))
    assert.equal(ok.status, 200, await ok.clone().text())
    await ok.body?.cancel()
    await double.webhooksIdle()
    assert.equal(await salesTaken(link.id), 1, 'the agent sale counts once (credential and webhook)')

    // The last copy is held by a card buyer who has not paid yet: the agent is refused and not charged.
    await createIntent(link.slug, await stripeChallenge(link.slug))
    const intentsBefore = intentsFor(link.id).length
    const refused = await payWithToken(spt('spt_testOk'))
    await assertSoldOut(refused)
    assert.equal(intentsFor(link.id).length, intentsBefore, 'no PaymentIntent was created for the refused agent')
    assert.equal((await paymentsOf(link.id)).length, 1)
  })
})
