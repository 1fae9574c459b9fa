// Card-hold exhaustion of capped links, through the app's own route handlers in this process (the gate
// runtime from the environment, PostgreSQL when installed, the Stripe double and its signed webhooks):
// challenges are free, so one client may keep only a few unpaid card holds of a link open, and an
// unpaid hold lasts minutes until Stripe shows its payer confirming, which extends it.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { eq } from 'drizzle-orm'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Credential from '@/lib/protocol/Credential'
import { createDatabase, startPostgres, type PostgresServer } from '@/test/support/postgres'

const visa = '4242424242424242'
const threeDSecure = '4000002760003184'
const merchantAddress = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

type Intent = { clientSecret: string; publishableKey: string; paymentIntentId: string; receiptUrl: string }

describe('card holds of capped links cannot be exhausted by free challenges', async () => {
  const { startStripeDouble } = await import('@/test/stripe-double')
  let double: Awaited<ReturnType<typeof startStripeDouble>>
  let endpoint: Server
  let dataDir: string
  let postgres: PostgresServer | null = null
  const publicUrl = 'http://127.0.0.1:3998'
  let app: {
    getGate: typeof import('@/lib/gate/runtime').getGate
    handleLinkRequest: typeof import('@/lib/gate/link-request').handleLinkRequest
    handleCardPaymentIntentRequest: typeof import('@/lib/checkout/card/payment-intent').handleCardPaymentIntentRequest
    handleStripeWebhookRequest: typeof import('@/lib/checkout/card/stripe-webhook').handleStripeWebhookRequest
    confirmUnderwayHolds: typeof import('@/lib/checkout/card/holds').confirmUnderwayHolds
    releaseExpiredHolds: typeof import('@/lib/links/release-expired-holds').releaseExpiredHolds
    Links: typeof import('@/lib/links')
    Merchants: typeof import('@/lib/merchants')
    schema: typeof import('@/lib/store/schema')
  }
  let merchantId: string
  // Every event but requires_action at first: the test that needs it subscribes to it.
  const baseEvents = ['payment_intent.succeeded', 'payment_intent.canceled', 'charge.refunded']

  before(async () => {
    double = await startStripeDouble({ webhookEvents: baseEvents, webhookRetryDelaysMs: [20, 50, 100] })
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
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-card-holds-'))
    postgres = await startPostgres()
    if (postgres) process.env.DATABASE_URL = await createDatabase(postgres, `card_holds_${randomBytes(6).toString('hex')}`)
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
    // The defaults under test: 3 open holds per client and link, 180 s unconfirmed.
    delete process.env.CARD_HOLDS_PER_CLIENT
    delete process.env.CARD_HOLD_UNCONFIRMED_SECONDS
    delete process.env.EVM_RPC_URL
    app = {
      getGate: (await import('@/lib/gate/runtime')).getGate,
      handleLinkRequest: (await import('@/lib/gate/link-request')).handleLinkRequest,
      handleCardPaymentIntentRequest: (await import('@/lib/checkout/card/payment-intent')).handleCardPaymentIntentRequest,
      handleStripeWebhookRequest: (await import('@/lib/checkout/card/stripe-webhook')).handleStripeWebhookRequest,
      confirmUnderwayHolds: (await import('@/lib/checkout/card/holds')).confirmUnderwayHolds,
      releaseExpiredHolds: (await import('@/lib/links/release-expired-holds')).releaseExpiredHolds,
      Links: await import('@/lib/links'),
      Merchants: await import('@/lib/merchants'),
      schema: await import('@/lib/store/schema'),
    }
    const gate = await app.getGate()
    merchantId = (await app.Merchants.ensureMerchant(gate.db, merchantAddress)).id
    double.setWebhookEndpoint({ url: webhookUrl(), events: baseEvents })
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

  async function cappedLink(maxPayments: number): Promise<{ id: string; slug: string }> {
    const gate = await app.getGate()
    const link = await app.Links.createLink(gate.db, merchantId, {
      slug: `limited-${randomBytes(4).toString('hex')}`,
      title: 'A limited edition',
      price: '0.50',
      rails: ['stripe'],
      recipient: merchantAddress,
      resource: { kind: 'inline', contentType: 'text/plain', body: 'the limited text' },
      accessPolicy: { kind: 'once' },
      maxPayments,
    })
    return { id: link.id, slug: link.slug }
  }

  /** A request from one client address (what clientKey reads). */
  const from = (client: string, headers: Record<string, string> = {}) => ({ 'x-forwarded-for': client, ...headers })

  async function stripeChallenge(slug: string, client: string): Promise<Challenge.Challenge> {
    const response = await app.handleLinkRequest(
      new Request(`${publicUrl}/l/${slug}`, { headers: from(client, { accept: 'application/json' }) }),
      slug,
    )
    assert.equal(response.status, 402, await response.clone().text())
    const challenge = Challenge.deserializeList(response.headers.get('www-authenticate') ?? '').find((c) => c.method === 'stripe')
    assert.ok(challenge)
    return challenge
  }

  async function askForIntent(slug: string, client: string): Promise<{ response: Response; challenge: Challenge.Challenge }> {
    const challenge = await stripeChallenge(slug, client)
    const response = await app.handleCardPaymentIntentRequest(
      new Request(`${publicUrl}/api/checkout/payment-intent`, {
        method: 'POST',
        headers: from(client, { 'content-type': 'application/json' }),
        body: JSON.stringify({ url: `/l/${slug}`, challenge: Challenge.serialize(challenge) }),
      }),
    )
    return { response, challenge }
  }

  async function intentFor(slug: string, client: string): Promise<{ intent: Intent; challenge: Challenge.Challenge }> {
    const { response, challenge } = await askForIntent(slug, client)
    const text = await response.text()
    assert.equal(response.status, 200, text)
    return { intent: JSON.parse(text) as Intent, challenge }
  }

  async function confirmInBrowser(intent: Intent, cardNumber: string): Promise<string> {
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

  async function passThreeDSecure(intent: Intent): Promise<void> {
    const response = await fetch(`${double.url}/_double/authenticate/${intent.paymentIntentId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_secret: intent.clientSecret, outcome: 'complete' }).toString(),
    })
    assert.equal(response.status, 200, await response.text())
  }

  async function holdOf(intent: Intent) {
    const gate = await app.getGate()
    const [hold] = await gate.db
      .select()
      .from(app.schema.cardSaleHolds)
      .where(eq(app.schema.cardSaleHolds.paymentIntentId, intent.paymentIntentId))
    assert.ok(hold, `a hold for ${intent.paymentIntentId}`)
    return hold
  }

  function intentsFor(linkId: string): number {
    return [...double.intents.values()].filter((intent) => (intent.metadata as Record<string, string>).link_id === linkId).length
  }

  test('one client cannot hold every slot: its fourth open checkout is refused (429) before any PaymentIntent exists', async () => {
    const link = await cappedLink(5)
    for (let i = 0; i < 3; i++) await intentFor(link.slug, '203.0.113.7')
    const { response } = await askForIntent(link.slug, '203.0.113.7')
    const text = await response.text()
    assert.equal(response.status, 429, text)
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/)
    const retryAfter = Number(response.headers.get('retry-after'))
    assert.ok(retryAfter >= 1 && retryAfter <= 180, `Retry-After ${retryAfter}: when the client's first hold lapses`)
    assert.match(text, /already hold 3 unpaid card checkouts of this limited link.*No card was charged/)
    assert.equal(intentsFor(link.id), 3, 'Stripe saw no PaymentIntent for the refused checkout')
    // Other buyers still get the slots the first client could not take.
    await intentFor(link.slug, '198.51.100.1')
    await intentFor(link.slug, '198.51.100.2')
    assert.equal(intentsFor(link.id), 5)
    const { response: soldOut } = await askForIntent(link.slug, '198.51.100.3')
    assert.equal(soldOut.status, 410, await soldOut.text())
  })

  test('an unpaid hold that no one confirms lapses after its short window (3 minutes), and its slot goes to the next buyer', async () => {
    const link = await cappedLink(1)
    const asked = Date.now()
    const { intent } = await intentFor(link.slug, '203.0.113.20')
    const hold = await holdOf(intent)
    const lifetime = hold.expiresAt.getTime() - asked
    assert.ok(lifetime > 170_000 && lifetime <= 181_000, `the unconfirmed hold lasts about 180 s, not ${lifetime} ms`)
    const gate = await app.getGate()
    // The sweep asks Stripe first: nothing was submitted for this intent, so nothing is extended.
    assert.equal(await app.confirmUnderwayHolds(gate.db, gate.stripe!, new Date(asked + 170_000)), 0)
    assert.equal((await holdOf(intent)).expiresAt.getTime(), hold.expiresAt.getTime())
    const { response: full } = await askForIntent(link.slug, '198.51.100.20')
    assert.equal(full.status, 410, await full.text())
    assert.ok((await app.releaseExpiredHolds(gate.db, new Date(hold.expiresAt.getTime() + 1_000))) >= 1)
    assert.equal((await holdOf(intent)).status, 'released')
    // Where the old hold lasted the challenge's lifetime plus 10 minutes, the copy is for sale again now.
    await intentFor(link.slug, '198.51.100.20')
  })

  test('a payer seen confirming keeps the hold: the requires_action webhook extends it past the short window, and the payment sells the slot', async () => {
    double.setWebhookEndpoint({ url: webhookUrl(), events: [...baseEvents, 'payment_intent.requires_action'] })
    try {
      const link = await cappedLink(1)
      const { intent, challenge } = await intentFor(link.slug, '203.0.113.30')
      const short = (await holdOf(intent)).expiresAt
      const confirmedAt = Date.now()
      assert.equal(await confirmInBrowser(intent, threeDSecure), 'requires_action')
      await double.webhooksIdle()
      const hold = await holdOf(intent)
      assert.ok(hold.confirmedAt, 'the hold knows its payer is confirming')
      assert.ok(hold.expiresAt.getTime() >= confirmedAt + 15 * 60_000 - 1_000, 'extended to 15 minutes after confirmation')
      // Past the short window the payer is still in 3-D Secure: the hold stays, the copy is not sold twice.
      const gate = await app.getGate()
      await app.releaseExpiredHolds(gate.db, new Date(short.getTime() + 60_000))
      assert.equal((await holdOf(intent)).status, 'held')
      const { response: full } = await askForIntent(link.slug, '198.51.100.30')
      assert.equal(full.status, 410, await full.text())

      await passThreeDSecure(intent)
      const paid = await app.handleLinkRequest(
        new Request(`${publicUrl}/l/${link.slug}`, {
          headers: from('203.0.113.30', {
            accept: 'application/json',
            authorization: Credential.serialize({ challenge, payload: { paymentIntent: intent.paymentIntentId } }),
          }),
        }),
        link.slug,
      )
      assert.equal(paid.status, 200, await paid.clone().text())
      assert.equal(await paid.text(), 'the limited text')
      assert.equal((await holdOf(intent)).status, 'sold')
    } finally {
      double.setWebhookEndpoint({ url: webhookUrl(), events: baseEvents })
    }
  })

  test('without that webhook, the sweep asks Stripe before a short hold lapses and extends the ones being paid', async () => {
    const link = await cappedLink(2)
    const { intent: paying } = await intentFor(link.slug, '203.0.113.40')
    const { intent: idle } = await intentFor(link.slug, '203.0.113.41')
    assert.equal(await confirmInBrowser(paying, threeDSecure), 'requires_action')
    await double.webhooksIdle()
    assert.equal((await holdOf(paying)).confirmedAt, null, 'no webhook told the server')
    const gate = await app.getGate()
    const beforeLapse = new Date((await holdOf(paying)).expiresAt.getTime() - 20_000)
    assert.ok((await app.confirmUnderwayHolds(gate.db, gate.stripe!, beforeLapse)) >= 1)
    assert.ok((await holdOf(paying)).confirmedAt)
    assert.equal((await holdOf(idle)).confirmedAt, null)
    await app.releaseExpiredHolds(gate.db, new Date((await holdOf(idle)).expiresAt.getTime() + 1_000))
    assert.equal((await holdOf(paying)).status, 'held')
    assert.equal((await holdOf(idle)).status, 'released')
    // A card that pays straight away still pays, and sells its slot.
    const { intent: quick, challenge } = await intentFor(link.slug, '203.0.113.42')
    assert.equal(await confirmInBrowser(quick, visa), 'succeeded')
    const paid = await app.handleLinkRequest(
      new Request(`${publicUrl}/l/${link.slug}`, {
        headers: from('203.0.113.42', {
          accept: 'application/json',
          authorization: Credential.serialize({ challenge, payload: { paymentIntent: quick.paymentIntentId } }),
        }),
      }),
      link.slug,
    )
    assert.equal(paid.status, 200, await paid.clone().text())
  })
})
