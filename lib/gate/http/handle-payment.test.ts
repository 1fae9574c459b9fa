// The HTTP transport over the core, in process: Request in, Response out, for every outcome — the same
// statuses, headers and bodies the running app sends (the end-to-end suites check them against real clients).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Credential from '@/lib/protocol/Credential'
import * as Problem from '@/lib/protocol/Problem'
import * as Receipt from '@/lib/protocol/Receipt'
import * as PaymentResponse from '@/lib/protocol/x402/PaymentResponse'
import * as Payments from '@/lib/store/payments'
import { fakeGate, resourceFor, type FakeGate, type FakePayload } from '../testing/fake-gate'
import type { Outcome, PricedResource } from '../types'
import { grantCookieName } from './grant-cookie'
import { handlePayment, type HttpDeliver } from './handle-payment'
import { respond } from './respond'

let fake: FakeGate
let nextKey = 0
const url = 'https://pay.example.com/api/fortune'
const fortune: HttpDeliver = () => Response.json({ fortune: 'yes' }, { headers: { 'x-upstream': 'kept' } })
const navigation = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-mode': 'navigate' }

async function unpaid(resource: PricedResource, headers: Record<string, string> = {}): Promise<Response> {
  return handlePayment(fake.gate, new Request(url, { headers }), resource, fortune)
}

async function pay(resource: PricedResource, payload: Partial<FakePayload> = {}, deliver: HttpDeliver = fortune): Promise<Response> {
  const challenge = Challenge.deserialize((await unpaid(resource)).headers.get('www-authenticate')!)
  const credential = Credential.serialize({ challenge, payload: { outcome: 'pay', key: `http-${nextKey++}`, ...payload } })
  return handlePayment(fake.gate, new Request(url, { headers: { authorization: credential } }), resource, deliver)
}

describe('the HTTP transport maps each outcome to its response', () => {
  before(async () => {
    fake = await fakeGate()
  })
  after(async () => {
    await fake.handle.close()
  })

  test('pay first: 402, one WWW-Authenticate per offer, the prepared problem, never cached', async () => {
    const response = await unpaid(resourceFor())
    assert.equal(response.status, 402)
    assert.equal(response.headers.get('content-type'), 'application/problem+json')
    assert.equal(response.headers.get('cache-control'), 'no-store')
    const challenge = Challenge.deserialize(response.headers.get('www-authenticate')!)
    assert.equal(challenge.method, 'evm')
    assert.equal(response.headers.get('payment-required'), null)
    assert.deepEqual(await response.json(), {
      type: 'https://paymentauth.org/problems/payment-required',
      title: 'Payment Required',
      status: 402,
      detail: 'Payment is required: A fortune costs $0.01.',
    })
  })

  test('a person navigating gets the same challenges with an HTML page that leads to the checkout', async () => {
    const response = await unpaid(resourceFor(), navigation)
    assert.equal(response.status, 402)
    assert.match(response.headers.get('content-type')!, /^text\/html/)
    assert.ok(Challenge.deserialize(response.headers.get('www-authenticate')!))
    assert.match(await response.text(), /href="\/pay\?u=%2Fapi%2Ffortune"/)
  })

  test('a refused credential: 402 problem with fresh challenges', async () => {
    const response = await pay(resourceFor(), { outcome: 'decline' })
    assert.equal(response.status, 402)
    assert.equal(response.headers.get('content-type'), 'application/problem+json')
    assert.ok(response.headers.get('www-authenticate'))
    const body = (await response.json()) as Problem.Body
    assert.equal(body.type, 'https://paymentauth.org/problems/verification-failed')
    assert.equal(body.detail, 'the fake signature does not verify')
  })

  test('a malformed credential: 402 malformed-credential with fresh challenges', async () => {
    const response = await handlePayment(fake.gate, new Request(url, { headers: { authorization: 'Payment x' } }), resourceFor(), fortune)
    assert.equal(response.status, 402)
    assert.ok(response.headers.get('www-authenticate'))
    assert.equal(((await response.json()) as Problem.Body).type, 'https://paymentauth.org/problems/malformed-credential')
  })

  test('method unsupported: 400 without challenges', async () => {
    const response = await handlePayment(fake.gate, new Request(url, { headers: { 'payment-signature': 'e30' } }), resourceFor(), fortune)
    assert.equal(response.status, 400)
    assert.equal(response.headers.get('www-authenticate'), null)
    assert.equal(((await response.json()) as Problem.Body).type, 'https://paymentauth.org/problems/method-unsupported')
  })

  test('refused without a payment problem: plain problem+json with Retry-After', async () => {
    const response = await pay(resourceFor(), { outcome: 'unavailable' })
    assert.equal(response.status, 503)
    assert.equal(response.headers.get('retry-after'), '7')
    assert.equal(response.headers.get('cache-control'), 'no-store')
    assert.deepEqual(await response.json(), {
      type: 'about:blank',
      title: 'Payment network unavailable',
      status: 503,
      detail: 'the fake network is down',
    })
  })

  test('a closed resource: 410 problem for programs, a readable page for a person', async () => {
    const closed = { closed: { title: 'Link unavailable', detail: 'This link has expired.' } }
    const program = await handlePayment(fake.gate, new Request(url), resourceFor(), fortune, null, closed)
    assert.equal(program.status, 410)
    assert.equal(((await program.json()) as { detail: string }).detail, 'This link has expired.')
    const person = await handlePayment(fake.gate, new Request(url, { headers: navigation }), resourceFor(), fortune, null, closed)
    assert.equal(person.status, 410)
    assert.match(person.headers.get('content-type')!, /^text\/html/)
    assert.match(await person.text(), /This link has expired\./)
  })

  test('paid: the resource with Payment-Receipt, private caching, the receipt link and (for a window) the grant cookie', async () => {
    const resource = resourceFor({ key: 'route:GET /api/window', accessPolicy: { kind: 'window', minutes: 10 } })
    const response = await pay(resource)
    assert.equal(response.status, 200)
    assert.deepEqual(await response.json(), { fortune: 'yes' })
    assert.equal(response.headers.get('x-upstream'), 'kept')
    assert.equal(response.headers.get('cache-control'), 'private')
    const receipt = Receipt.deserialize(response.headers.get('payment-receipt')!)
    assert.equal(receipt.status, 'success')
    const payment = await Payments.getByReference(fake.gate.db, 'evm', receipt.reference)
    assert.ok(payment)
    assert.equal(response.headers.get('link'), `</receipts/${payment.id}>; rel="receipt"`)
    const cookie = response.headers.get('set-cookie')!
    assert.match(
      cookie,
      new RegExp(
        `^${grantCookieName('route:GET /api/window')}=[A-Za-z0-9_-]{32}; Path=/api/fortune; HttpOnly; SameSite=Lax; Max-Age=600; Secure$`,
      ),
    )

    // The cookie opens it again: no receipt, no new payment.
    const again = await handlePayment(fake.gate, new Request(url, { headers: { cookie: cookie.split(';')[0]! } }), resource, fortune)
    assert.equal(again.status, 200)
    assert.equal(again.headers.get('payment-receipt'), null)
    assert.equal(again.headers.get('cache-control'), 'private')
  })

  test('paid, and the resource answered 5xx: its answer with the receipt, and a one-retry grant', async () => {
    const response = await pay(resourceFor({ key: 'route:GET /api/five' }), {}, () => new Response('upstream down', { status: 503 }))
    assert.equal(response.status, 503)
    assert.equal(await response.text(), 'upstream down')
    assert.ok(response.headers.get('payment-receipt'))
    assert.match(response.headers.get('set-cookie')!, /Max-Age=86400/)
  })

  test('paid, and the resource threw: 502 that says the payment went through, with the receipt and a retry grant', async () => {
    const response = await pay(resourceFor({ key: 'route:GET /api/throws' }), {}, () => {
      throw new Error('connection refused')
    })
    assert.equal(response.status, 502)
    assert.ok(response.headers.get('payment-receipt'))
    assert.match(response.headers.get('set-cookie')!, /Max-Age=86400/)
    const body = (await response.json()) as { title: string; detail: string }
    assert.equal(body.title, 'Paid, but the resource failed')
    assert.match(
      body.detail,
      /^Your payment was settled \(receipt \/receipts\/pay_[A-Za-z0-9_-]+\)\. The resource could not be delivered; retry/,
    )
    assert.equal(response.headers.get('cache-control'), 'private')
  })

  test('an x402 payment is answered with PAYMENT-RESPONSE, not Payment-Receipt', async () => {
    const { payment } = await Payments.recordOnce(fake.gate.db, {
      settlementKey: 'x402-response-test',
      resourceKey: 'route:GET /api/fortune',
      protocol: 'x402',
      method: 'evm',
      amount: '10000',
      currency: '0x00000000000000000000000000000000000000aa',
      amountUsd: '0.01',
      payer: '0x1111111111111111111111111111111111111111',
      reference: `0x${'ab'.repeat(32)}`,
      challengeId: null,
      receipt: {
        status: 'success',
        method: 'evm',
        timestamp: '2026-12-04T12:00:00.000Z',
        reference: `0x${'ab'.repeat(32)}`,
        chainId: 84532,
      },
    })
    const outcome: Outcome<Response> = { kind: 'delivered', value: new Response('ok'), payment, receipt: null, grant: null }
    const response = await respond(fake.gate, new Request(url), resourceFor(), outcome)
    assert.equal(response.headers.get('payment-receipt'), null)
    assert.deepEqual(PaymentResponse.decode(response.headers.get('payment-response')!), {
      success: true,
      transaction: `0x${'ab'.repeat(32)}`,
      network: 'eip155:84532',
      payer: '0x1111111111111111111111111111111111111111',
    })
  })

  test('a grant whose delivery throws: 502 "The resource failed", privately cached', async () => {
    const outcome: Outcome<Response> = { kind: 'undelivered', payment: null, receipt: null, grant: null }
    const response = await respond(fake.gate, new Request(url), resourceFor(), outcome)
    assert.equal(response.status, 502)
    assert.equal(response.headers.get('cache-control'), 'private')
    assert.equal(((await response.json()) as { title: string }).title, 'The resource failed')
  })

  test('a method’s own ledger (a session): the answer with Payment-Receipt and no receipt page; a top-up is 200 with the receipt alone', async () => {
    const receipt = { status: 'success' as const, method: 'evm', timestamp: '2026-12-04T12:00:00.000Z', reference: '0xchannel' }
    const metered = await respond(fake.gate, new Request(url), resourceFor(), {
      kind: 'delivered',
      value: new Response('tokens'),
      payment: null,
      receipt,
      grant: null,
    })
    assert.equal(await metered.text(), 'tokens')
    assert.deepEqual(Receipt.deserialize(metered.headers.get('payment-receipt')!), receipt)
    assert.equal(metered.headers.get('link'), null)
    assert.equal(metered.headers.get('cache-control'), 'private')
    const acknowledged = await respond(fake.gate, new Request(url), resourceFor(), { kind: 'acknowledged', receipt })
    assert.equal(acknowledged.status, 200)
    assert.equal(await acknowledged.text(), '')
    assert.deepEqual(Receipt.deserialize(acknowledged.headers.get('payment-receipt')!), receipt)
  })

  test('settle after success over HTTP: an upstream 5xx is answered 502 "nothing was charged" and its body is not read', async () => {
    let cancelled = false
    const upstream = () =>
      new Response(new ReadableStream({ cancel: () => void (cancelled = true) }), {
        status: 503,
        headers: { 'content-type': 'text/plain' },
      })
    const response = await pay(resourceFor({ key: 'route:GET /api/after-http', settle: 'after-success' }), {}, upstream)
    assert.equal(response.status, 502)
    assert.equal(response.headers.get('payment-receipt'), null)
    assert.equal(((await response.json()) as { title: string }).title, 'The resource failed; nothing was charged')
    assert.ok(cancelled, 'the upstream body was cancelled')
  })
})
