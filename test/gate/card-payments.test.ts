// Issue 6 acceptance through the running app and the Stripe double: the checkout's PaymentIntent
// route, card credentials (good and every kind of wrong), the signed webhook (bad signature,
// redeliveries, a page closed after confirmation), refunds, and an agent paying with a Shared Payment Token.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { Challenge as MppxChallenge } from 'mppx'
import { stripe as mppxStripe } from 'mppx/client'
import Stripe from 'stripe'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Credential from '@/lib/protocol/Credential'
import * as Receipt from '@/lib/protocol/Receipt'
import { type DbHandle, openDb } from '@/lib/store/db'
import * as Payments from '@/lib/store/payments'
import { createDatabase, postgresInstalled, startPostgres, type PostgresServer } from '@/test/support/postgres'
import { type Stack, startStack } from '@/test/support/stack'
import { startStripeDouble, type StripeDouble } from '@/test/stripe-double'
import { assertProblem } from './internal/problems'

const visa = '4242424242424242'
const threeDSecure = '4000002760003184'

// The database is read while the app runs, which needs a shared server (PGlite is single-process).
const withPostgres = postgresInstalled()
if (!withPostgres) console.warn('\n!!! card payments suite: PostgreSQL is not installed; payment-row assertions are SKIPPED !!!\n')

/** A problem from the PaymentIntent route: its status and paymentauth problem type, never cached. */
async function assertRouteProblem(response: Response, status: number, code: string): Promise<void> {
  const text = await response.text()
  assert.equal(response.status, status, text)
  assert.equal(response.headers.get('cache-control'), 'no-store')
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/)
  assert.equal((JSON.parse(text) as { type: string }).type, `https://paymentauth.org/problems/${code}`)
}

type Intent = { clientSecret: string; publishableKey: string; paymentIntentId: string; receiptUrl: string; cookie: string }

describe('card payments through the running app (Stripe double)', () => {
  let double: StripeDouble
  let server: PostgresServer | null = null
  let stack: Stack
  let store: DbHandle | null = null
  let merchantStripe: Stripe
  let secret: string
  const path = '/l/demo-file'

  before(async () => {
    double = await startStripeDouble({
      webhookEvents: ['payment_intent.succeeded', 'charge.refunded'],
      webhookRetryDelaysMs: [50, 100, 200, 400],
    })
    let databaseUrl: string | undefined
    if (withPostgres) {
      server = await startPostgres()
      if (server) databaseUrl = await createDatabase(server, `cards_${randomBytes(6).toString('hex')}`)
    }
    stack = await startStack({
      stripe: true,
      ...(databaseUrl ? { databaseUrl } : {}),
      env: {
        STRIPE_SECRET_KEY: double.secretKey,
        NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY: double.publishableKey,
        STRIPE_WEBHOOK_SECRET: double.webhookSecret,
        STRIPE_API_BASE: double.url,
      },
    })
    double.setWebhookEndpoint({ url: `${stack.url}/api/stripe/webhook`, events: ['payment_intent.succeeded', 'charge.refunded'] })
    if (databaseUrl) store = await openDb({ databaseUrl })
    merchantStripe = new Stripe(double.secretKey, { host: '127.0.0.1', port: double.port, protocol: 'http', maxNetworkRetries: 0 })
    secret = stack.env.MPP_SECRET_KEY!
  })
  after(async () => {
    await double?.webhooksIdle()
    await store?.close()
    await stack?.stop()
    await server?.stop()
    await double?.stop()
  })

  /** The stripe challenge of a fresh 402 for the link. */
  async function stripeChallenge(): Promise<Challenge.Challenge> {
    const response = await fetch(`${stack.url}${path}`, { headers: { accept: 'application/json' } })
    assert.equal(response.status, 402)
    await response.body?.cancel()
    const challenge = Challenge.deserializeList(response.headers.get('www-authenticate') ?? '').find((c) => c.method === 'stripe')
    assert.ok(challenge, 'the card-enabled link offers a stripe challenge')
    return challenge
  }

  async function askForIntent(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${stack.url}/api/checkout/payment-intent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
  }

  async function createIntent(challenge: Challenge.Challenge): Promise<Intent> {
    const response = await askForIntent({ url: path, challenge: Challenge.serialize(challenge) })
    const text = await response.text()
    assert.equal(response.status, 200, text)
    const cookie = response.headers.get('set-cookie') ?? ''
    return { ...(JSON.parse(text) as Omit<Intent, 'cookie'>), cookie: cookie.split(';')[0]! }
  }

  /** What Stripe.js does in the payer's browser: confirm with a card and the publishable key. */
  async function confirmInBrowser(
    intent: Intent,
    cardNumber: string,
  ): Promise<{ status: number; body: Stripe.PaymentIntent & { error?: { type: string; message: string } } }> {
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
    return { status: response.status, body: (await response.json()) as never }
  }

  function credentialFor(challenge: Challenge.Challenge, payload: Record<string, unknown>): string {
    return Credential.serialize({ challenge, payload })
  }

  async function pay(credential: string, cookie?: string): Promise<Response> {
    return fetch(`${stack.url}${path}`, {
      headers: { authorization: credential, accept: 'application/json', ...(cookie ? { cookie } : {}) },
    })
  }

  async function paymentsFor(reference: string): Promise<Payments.Payment[]> {
    if (!store) return []
    const { payments } = await import('@/lib/store/schema')
    const { eq } = await import('drizzle-orm')
    return store.db.select().from(payments).where(eq(payments.reference, reference))
  }

  test('the PaymentIntent route binds one intent to the challenge and sets the grant cookie for the link', async () => {
    const challenge = await stripeChallenge()
    const first = await createIntent(challenge)
    const second = await createIntent(challenge)
    assert.equal(second.paymentIntentId, first.paymentIntentId, 'asking twice never creates two intents')
    assert.equal(second.receiptUrl, first.receiptUrl)
    assert.equal(second.cookie, first.cookie)
    assert.equal(first.publishableKey, double.publishableKey)
    assert.match(first.receiptUrl, /^\/receipts\/pay_[A-Za-z0-9_-]{22}$/)
    const intent = double.intents.get(first.paymentIntentId)!
    assert.equal(intent.amount, 50)
    assert.equal(intent.currency, 'usd')
    assert.equal(intent.metadata.challenge_id, challenge.id)
    assert.equal(intent.metadata.link_id, stack.links.find((l) => l.slug === 'demo-file')!.id)
    assert.equal(intent.metadata.payment_id, first.receiptUrl.slice('/receipts/'.length))
    // Only the token's hash travels to Stripe; the token itself stays in the payer's HttpOnly cookie.
    const token = first.cookie.split('=')[1]!
    assert.ok(!JSON.stringify(intent.metadata).includes(token))
    const raw = (await askForIntent({ url: path, challenge: Challenge.serialize(challenge) })).headers.get('set-cookie') ?? ''
    assert.match(raw, /; Path=\/l\/demo-file; HttpOnly; SameSite=Lax; Max-Age=\d+/)
  })

  test('the PaymentIntent route refuses forged, expired, foreign and wrong-method challenges', async () => {
    const challenge = await stripeChallenge()
    const forged = Challenge.create({ ...challenge, secret: 'not-the-server-secret-not-the-server-secret' })
    await assertRouteProblem(await askForIntent({ url: path, challenge: Challenge.serialize(forged) }), 402, 'invalid-challenge')
    const expired = Challenge.create({ ...challenge, secret, expires: new Date(Date.now() - 1000) })
    await assertRouteProblem(await askForIntent({ url: path, challenge: Challenge.serialize(expired) }), 402, 'payment-expired')
    await assertRouteProblem(await askForIntent({ url: '/l/demo', challenge: Challenge.serialize(challenge) }), 402, 'invalid-challenge')
    const evm = (await fetch(`${stack.url}${path}`, { headers: { accept: 'application/json' } })).headers.get('www-authenticate') ?? ''
    const evmChallenge = Challenge.deserializeList(evm).find((c) => c.method === 'evm')!
    await assertRouteProblem(await askForIntent({ url: path, challenge: Challenge.serialize(evmChallenge) }), 400, 'method-unsupported')
    const cheaper = Challenge.create({ ...challenge, secret, request: { ...challenge.request, amount: '51' } })
    await assertRouteProblem(await askForIntent({ url: path, challenge: Challenge.serialize(cheaper) }), 402, 'invalid-challenge')
    // The decoded form of the challenge is accepted too.
    assert.equal((await askForIntent({ url: path, challenge })).status, 200)
    assert.equal(
      (await askForIntent({ url: 'https://elsewhere.example/l/demo-file', challenge: Challenge.serialize(challenge) })).status,
      400,
    )
    assert.equal((await askForIntent({ url: '/l/no-such-link', challenge: Challenge.serialize(challenge) })).status, 404)
    assert.equal((await askForIntent({ nope: true })).status, 400)
    const form = await fetch(`${stack.url}/api/checkout/payment-intent`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ url: path, challenge: Challenge.serialize(challenge) }),
    })
    assert.equal(form.status, 415, 'a cross-site form post cannot create intents or set cookies')
  })

  test('a card payment unlocks the file once, with a stripe receipt and the prepared receipt link', async () => {
    // Webhooks held back, so the credential records first and the late event finds the payment.
    double.setWebhookEndpoint(null)
    const challenge = await stripeChallenge()
    const intent = await createIntent(challenge)
    const confirmed = await confirmInBrowser(intent, visa)
    assert.equal(confirmed.body.status, 'succeeded')
    const credential = credentialFor(challenge, { paymentIntent: intent.paymentIntentId })
    const response = await pay(credential)
    assert.equal(response.status, 200, await response.clone().text())
    assert.match(await response.text(), /Tollgate/i)
    assert.match(response.headers.get('content-disposition') ?? '', /tollgate-field-guide\.md/)
    const receipt = Receipt.deserialize(response.headers.get('payment-receipt')!)
    assert.equal(receipt.method, 'stripe')
    assert.equal(receipt.reference, intent.paymentIntentId)
    assert.equal(receipt.status, 'success')
    assert.equal(response.headers.get('link'), `<${intent.receiptUrl}>; rel="receipt"`)
    const receiptPage = await fetch(`${stack.url}${intent.receiptUrl}`)
    assert.equal(receiptPage.status, 200)
    assert.match(await receiptPage.text(), new RegExp(intent.paymentIntentId))

    // The grant cookie set with the intent now opens the link (window policy) without paying again.
    const again = await fetch(`${stack.url}${path}`, { headers: { cookie: intent.cookie, accept: 'application/json' } })
    assert.equal(again.status, 200)
    await again.body?.cancel()

    double.setWebhookEndpoint({ url: `${stack.url}/api/stripe/webhook`, events: ['payment_intent.succeeded', 'charge.refunded'] })
    const event = double.events.find(
      (e) => e.type === 'payment_intent.succeeded' && (e.data.object as Stripe.PaymentIntent).id === intent.paymentIntentId,
    )!
    const late = await double.deliver(event)
    assert.equal(late.status, 200)
    assert.equal((JSON.parse(late.body) as { outcome: string }).outcome, 'handled')
    const rows = await paymentsFor(intent.paymentIntentId)
    if (store) {
      assert.equal(rows.length, 1, 'the credential and the webhook record one payment')
      assert.equal(rows[0]!.id, intent.receiptUrl.slice('/receipts/'.length))
      assert.equal(rows[0]!.protocol, 'mpp')
      assert.equal(rows[0]!.method, 'stripe')
      assert.equal(rows[0]!.amountUsd, '0.5')
      assert.equal(rows[0]!.delivery, 'delivered')
    }
  })

  test('reused, unsucceeded, foreign, other-amount and other-link PaymentIntents get 402 with the right problem', async () => {
    // Reused: a second redemption of a paid intent.
    const challenge = await stripeChallenge()
    const intent = await createIntent(challenge)
    await confirmInBrowser(intent, visa)
    const credential = credentialFor(challenge, { paymentIntent: intent.paymentIntentId })
    const paid = await pay(credential)
    assert.equal(paid.status, 200)
    await paid.body?.cancel()
    await assertProblem(await pay(credential), { status: 402, code: 'invalid-challenge', secret, notIds: [challenge.id] })

    // Unsucceeded: created for the challenge, never confirmed (and one waiting on 3-D Secure).
    const pending = await stripeChallenge()
    const pendingIntent = await createIntent(pending)
    await assertProblem(await pay(credentialFor(pending, { paymentIntent: pendingIntent.paymentIntentId })), {
      status: 402,
      code: 'verification-failed',
      secret,
    })
    const actionChallenge = await stripeChallenge()
    const actionIntent = await createIntent(actionChallenge)
    assert.equal((await confirmInBrowser(actionIntent, threeDSecure)).body.status, 'requires_action')
    await assertProblem(await pay(credentialFor(actionChallenge, { paymentIntent: actionIntent.paymentIntentId })), {
      status: 402,
      code: 'verification-failed',
      secret,
    })

    // Someone else's: a succeeded intent on another Stripe account.
    const other = new Stripe('sk_test_someone_else', { host: '127.0.0.1', port: double.port, protocol: 'http', maxNetworkRetries: 0 })
    const theirs = await other.paymentIntents.create({
      amount: 50,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
      allowed_payment_method_types: ['card'],
    })
    const foreign = await stripeChallenge()
    await assertProblem(await pay(credentialFor(foreign, { paymentIntent: theirs.id })), {
      status: 402,
      code: 'verification-failed',
      secret,
    })

    // Another amount (Stripe's $0.50 minimum leaves only larger ones), and another link: succeeded intents on our account whose metadata names this challenge.
    const linkId = stack.links.find((l) => l.slug === 'demo-file')!.id
    const otherLinkId = stack.links.find((l) => l.slug === 'demo')!.id
    const crafted = async (c: Challenge.Challenge, amount: number, link: string) =>
      merchantStripe.paymentIntents.create({
        amount,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        confirm: true,
        allowed_payment_method_types: ['card'],
        metadata: { challenge_id: c.id, link_id: link },
      })
    const high = await stripeChallenge()
    await assertProblem(await pay(credentialFor(high, { paymentIntent: (await crafted(high, 5000, linkId)).id })), {
      status: 402,
      code: 'verification-failed',
      secret,
    })
    const elsewhere = await stripeChallenge()
    await assertProblem(await pay(credentialFor(elsewhere, { paymentIntent: (await crafted(elsewhere, 50, otherLinkId)).id })), {
      status: 402,
      code: 'verification-failed',
      secret,
    })
    // An intent paid for one challenge does not pay another.
    const another = await stripeChallenge()
    await assertProblem(await pay(credentialFor(another, { paymentIntent: pendingIntent.paymentIntentId })), {
      status: 402,
      code: 'verification-failed',
      secret,
    })
    // And nothing of the refused attempts was recorded.
    for (const reference of [pendingIntent.paymentIntentId, actionIntent.paymentIntentId, theirs.id])
      assert.deepEqual(await paymentsFor(reference), [])
  })

  test('a webhook with a bad or missing signature is 400 and records nothing', async () => {
    const challenge = await stripeChallenge()
    const intent = await createIntent(challenge)
    await confirmInBrowser(intent, visa)
    await double.webhooksIdle()
    const event = double.events.find(
      (e) => e.type === 'payment_intent.succeeded' && (e.data.object as Stripe.PaymentIntent).id === intent.paymentIntentId,
    )!
    assert.ok(event)
    const forged = await double.deliver(event, { secret: 'whsec_not_the_real_secret' })
    assert.equal(forged.status, 400)
    const unsigned = await fetch(`${stack.url}/api/stripe/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    })
    assert.equal(unsigned.status, 400)
    await unsigned.body?.cancel()
    const tampered = await double.deliver(
      { ...event, data: { object: { ...(event.data.object as Stripe.PaymentIntent), amount_received: 1 } } } as Stripe.Event,
      { url: `${stack.url}/api/stripe/webhook`, signature: 't=1,v1=00' },
    )
    assert.equal(tampered.status, 400)
  })

  test('the same event delivered three times records one payment; unknown events are 200', async () => {
    const challenge = await stripeChallenge()
    const intent = await createIntent(challenge)
    await confirmInBrowser(intent, visa)
    await double.webhooksIdle()
    const event = double.events.find(
      (e) => e.type === 'payment_intent.succeeded' && (e.data.object as Stripe.PaymentIntent).id === intent.paymentIntentId,
    )!
    const outcomes = []
    for (let i = 0; i < 3; i++) {
      const delivered = await double.deliver(event)
      assert.equal(delivered.status, 200)
      outcomes.push((JSON.parse(delivered.body) as { outcome: string }).outcome)
    }
    assert.deepEqual(outcomes, ['duplicate', 'duplicate', 'duplicate'], 'the automatic delivery handled it; redeliveries are duplicates')
    const created = double.events.find(
      (e) => e.type === 'payment_intent.created' && (e.data.object as Stripe.PaymentIntent).id === intent.paymentIntentId,
    )!
    const unknown = await double.deliver(created)
    assert.equal(unknown.status, 200)
    if (store) {
      const rows = await paymentsFor(intent.paymentIntentId)
      assert.equal(rows.length, 1)
      assert.equal(rows[0]!.protocol, 'webhook')
    }
  })

  test('a webhook whose handler fails answers 500, records nothing, and fails again on redelivery (Stripe retries)', async () => {
    const challenge = await stripeChallenge()
    const intent = await createIntent(challenge)
    await confirmInBrowser(intent, visa)
    await double.webhooksIdle()
    // An intent whose metadata names an existing payment id under another settlement: recording it must fail.
    const taken = intent.receiptUrl.slice('/receipts/'.length)
    const linkId = stack.links.find((l) => l.slug === 'demo-file')!.id
    const clash = await merchantStripe.paymentIntents.create({
      amount: 50,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
      allowed_payment_method_types: ['card'],
      metadata: { challenge_id: 'c-clash', link_id: linkId, payment_id: taken, grant_token_hash: 'A'.repeat(43) },
    })
    await double.webhooksIdle()
    const attempts = double.deliveries.filter(
      (d) =>
        d.type === 'payment_intent.succeeded' &&
        double.events.find((e) => e.id === d.eventId && (e.data.object as Stripe.PaymentIntent).id === clash.id),
    )
    assert.ok(attempts.length > 1, 'Stripe (the double) retried the failed delivery')
    assert.ok(attempts.every((a) => a.status === 500))
    const event = double.events.find(
      (e) => e.type === 'payment_intent.succeeded' && (e.data.object as Stripe.PaymentIntent).id === clash.id,
    )!
    assert.equal((await double.deliver(event)).status, 500, 'not remembered as handled')
    assert.deepEqual(await paymentsFor(clash.id), [])
  })

  test('a page closed after confirmation still yields a recorded payment, a working receipt and the file on reload', async () => {
    const challenge = await stripeChallenge()
    const intent = await createIntent(challenge)
    // The payer passes 3-D Secure, then closes the tab: no credential is ever submitted.
    assert.equal((await confirmInBrowser(intent, threeDSecure)).body.status, 'requires_action')
    const authenticated = await fetch(`${double.url}/_double/authenticate/${intent.paymentIntentId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_secret: intent.clientSecret, outcome: 'complete' }).toString(),
    })
    assert.equal(authenticated.status, 200)
    await authenticated.body?.cancel()
    await double.webhooksIdle()

    const receiptPage = await fetch(`${stack.url}${intent.receiptUrl}`)
    assert.equal(receiptPage.status, 200)
    assert.match(await receiptPage.text(), new RegExp(intent.paymentIntentId))
    // Reloading the link with the cookie the PaymentIntent route set opens it, for the link's window.
    for (let visit = 0; visit < 2; visit++) {
      const reload = await fetch(`${stack.url}${path}`, {
        headers: { cookie: intent.cookie, accept: 'text/html', 'sec-fetch-mode': 'navigate' },
      })
      assert.equal(reload.status, 200)
      assert.match(reload.headers.get('content-disposition') ?? '', /tollgate-field-guide\.md/)
      await reload.body?.cancel()
    }
    // Without the cookie it still costs money.
    const stranger = await fetch(`${stack.url}${path}`, { headers: { accept: 'application/json' } })
    assert.equal(stranger.status, 402)
    await stranger.body?.cancel()
    if (store) {
      const [row, ...others] = await paymentsFor(intent.paymentIntentId)
      assert.equal(others.length, 0)
      assert.equal(row!.id, intent.receiptUrl.slice('/receipts/'.length))
      assert.equal(row!.protocol, 'webhook')
      assert.equal(row!.amount, '50')
      assert.equal(row!.amountUsd, '0.5')
      assert.equal(row!.challengeId, challenge.id)
      assert.equal(row!.resourceKey, `link:${row!.linkId}`)
      assert.equal((row!.receipt as Receipt.Receipt).reference, intent.paymentIntentId)
    }

    // The credential arriving late (a slow page) still delivers, against the same payment.
    const late = await pay(credentialFor(challenge, { paymentIntent: intent.paymentIntentId }))
    assert.equal(late.status, 200)
    assert.equal(late.headers.get('link'), `<${intent.receiptUrl}>; rel="receipt"`)
    await late.body?.cancel()
    assert.equal((await paymentsFor(intent.paymentIntentId)).length, store ? 1 : 0)
  })

  test(
    'a refund (ours or from the Stripe dashboard) marks the payment refunded through charge.refunded',
    { skip: withPostgres ? false : 'needs PostgreSQL' },
    async () => {
      const challenge = await stripeChallenge()
      const intent = await createIntent(challenge)
      await confirmInBrowser(intent, visa)
      await double.webhooksIdle()
      await merchantStripe.refunds.create({ payment_intent: intent.paymentIntentId })
      await double.webhooksIdle()
      const [row] = await paymentsFor(intent.paymentIntentId)
      assert.equal(row?.status, 'refunded')
      assert.ok(row?.refundedAt)
    },
  )

  test('an agent pays with a Shared Payment Token: a hand-built credential and mppx 0.11 stripe client', async () => {
    const challenge = await stripeChallenge()
    const spt = `spt_testOk${randomBytes(6).toString('hex')}`
    const handBuilt = await pay(credentialFor(challenge, { spt }))
    assert.equal(handBuilt.status, 200, await handBuilt.clone().text())
    assert.equal(Receipt.deserialize(handBuilt.headers.get('payment-receipt')!).method, 'stripe')
    await handBuilt.body?.cancel()
    const declined = await stripeChallenge()
    await assertProblem(await pay(credentialFor(declined, { spt: `spt_testDeclined${randomBytes(6).toString('hex')}` })), {
      status: 402,
      code: 'verification-failed',
      secret,
    })

    const client = mppxStripe.charge({
      paymentMethod: 'pm_card_visa',
      async createToken({ amount, currency, expiresAt, networkId, paymentMethod }) {
        const token = (await merchantStripe.rawRequest('POST', '/v1/test_helpers/shared_payment/granted_tokens', {
          payment_method: paymentMethod,
          usage_limits: { currency, max_amount: Number(amount), expires_at: expiresAt },
          seller_details: { network_id: networkId },
        })) as unknown as { id: string }
        return token.id
      },
    })
    // mppx reads the 402 itself, as an agent would.
    const offer = await fetch(`${stack.url}${path}`, { headers: { accept: 'application/json' } })
    const fresh = MppxChallenge.fromResponseList(offer).find((c) => c.method === 'stripe')
    assert.ok(fresh)
    const header = await client.createCredential({
      challenge: fresh as Parameters<typeof client.createCredential>[0]['challenge'],
      context: {},
    })
    const response = await pay(header)
    assert.equal(response.status, 200, await response.clone().text())
    const receipt = Receipt.deserialize(response.headers.get('payment-receipt')!)
    assert.equal(double.intents.get(receipt.reference)?.status, 'succeeded')
    await response.body?.cancel()
  })
})
