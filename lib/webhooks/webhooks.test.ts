// Merchant webhooks against a real database (PGlite and PostgreSQL) and a real local HTTP endpoint:
// signed delivery, retries with backoff, giving up, exclusive claims, idempotent enqueue, resend.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { eq } from 'drizzle-orm'
import type { DbHandle } from '@/lib/store/db'
import { webhookDeliveries } from '@/lib/store/schema'
import { makeLink, makeMerchant, makePayment } from '@/test/dashboard/fixtures'
import { describeEachDatabase } from '@/test/support/databases'
import { DeliveryNotFoundError, InvalidWebhookUrlError, NoEndpointError } from './errors'
import { enqueuePaymentEvent } from './enqueue-payment-event'
import { listDeliveries, resendDelivery } from './deliveries'
import * as Signature from './signature'
import { HostNotFoundError, type OutboundPolicy } from '@/lib/outbound'
import { checkWebhookUrl, getWebhookSettings, rotateWebhookSecret, setWebhookUrl } from './settings'
import { processDueDeliveries, setWebhookWorkerEnabled } from './worker'

// The endpoints here are local servers: the operator of this test allows private addresses, as
// `npm run demo` does. The last tests take that away and check what is refused.
process.env.ALLOW_PRIVATE_UPSTREAMS = '1'
/** Public-looking names for endpoints, resolved by this table (a DNS change is a table change). */
const names = new Map<string, string[]>([['hooks.example.com', ['93.184.216.34']]])
const strict: OutboundPolicy = {
  allowPrivate: false,
  resolve: async (hostname) => {
    const found = names.get(hostname)
    if (!found) throw new HostNotFoundError(hostname)
    return found
  },
}
const local: OutboundPolicy = { ...strict, allowPrivate: true }

type Received = { headers: Record<string, string | string[] | undefined>; body: string }

/** A local endpoint that answers with the next status in `script` (then 200) and records requests. */
async function endpoint(): Promise<{ url: string; received: Received[]; script: number[]; close(): Promise<void> }> {
  const received: Received[] = []
  const script: number[] = []
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      received.push({ headers: req.headers, body })
      res.statusCode = script.shift() ?? 200
      res.end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/hooks`, received, script, close: () => new Promise((r) => server.close(() => r())) }
}

const fastPolicy = { baseSeconds: 0.05, maxSeconds: 1, maxAttempts: 3 }

describeEachDatabase('Merchant webhooks', (factory) => {
  let handle: DbHandle
  let hook: Awaited<ReturnType<typeof endpoint>>
  before(async () => {
    // These tests drive the worker by hand; the background one would race them.
    setWebhookWorkerEnabled(false)
    handle = await factory.open()
    hook = await endpoint()
  })
  after(async () => {
    setWebhookWorkerEnabled(true)
    await hook?.close()
    await handle?.close()
  })

  async function merchantWithEndpoint() {
    const merchant = await makeMerchant(handle.db)
    const settings = await setWebhookUrl(handle.db, merchant.id, hook.url, local)
    return { merchant, secret: settings.secret! }
  }

  /** Runs the worker by hand until nothing is due, waiting out short backoffs. */
  async function drain(rounds = 20) {
    for (let i = 0; i < rounds; i++) {
      await processDueDeliveries(handle.db, { policy: fastPolicy })
      await new Promise((r) => setTimeout(r, 80))
    }
  }

  test('payment.succeeded reaches the endpoint once, signed with the merchant secret over the exact body', async () => {
    const { merchant, secret } = await merchantWithEndpoint()
    const link = await makeLink(handle.db, merchant.id)
    const payment = await makePayment(handle.db, link)
    const before = hook.received.length
    const queued = await enqueuePaymentEvent(handle.db, payment)
    assert.ok(queued)
    await drain(3)
    const mine = hook.received.slice(before).filter((r) => r.headers['tollgate-delivery-id'] === queued.deliveryId)
    assert.equal(mine.length, 1)
    const request = mine[0]!
    assert.ok(Signature.verify({ header: request.headers['tollgate-signature'] as string, secret, rawBody: request.body }))
    const event = JSON.parse(request.body)
    assert.equal(event.type, 'payment.succeeded')
    assert.equal(event.id, queued.eventId)
    assert.equal(request.headers['tollgate-event-id'], queued.eventId)
    assert.equal(event.data.payment.id, payment.id)
    assert.equal(event.data.payment.amountUsd, '0.5')
    assert.equal(event.data.payment.reference, payment.reference)
    const [row] = await handle.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, queued.deliveryId))
    assert.equal(row?.status, 'delivered')
    assert.equal(row?.attempts, 1)
    assert.equal(row?.lastResponseStatus, 200)
  })

  test('enqueuing the same payment twice queues one event; no endpoint, no event', async () => {
    const { merchant } = await merchantWithEndpoint()
    const payment = await makePayment(handle.db, await makeLink(handle.db, merchant.id))
    const first = await enqueuePaymentEvent(handle.db, payment)
    const second = await enqueuePaymentEvent(handle.db, payment)
    assert.deepEqual(second, first)
    const quiet = await makeMerchant(handle.db)
    assert.equal(await enqueuePaymentEvent(handle.db, await makePayment(handle.db, await makeLink(handle.db, quiet.id))), null)
    await drain(2)
  })

  test('a failing endpoint is retried with backoff until it answers 2xx', async () => {
    const { merchant } = await merchantWithEndpoint()
    const payment = await makePayment(handle.db, await makeLink(handle.db, merchant.id))
    await drain(2)
    hook.script.push(500, 503)
    const queued = (await enqueuePaymentEvent(handle.db, payment))!
    await processDueDeliveries(handle.db, { policy: fastPolicy })
    let [row] = await handle.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, queued.deliveryId))
    assert.equal(row?.status, 'pending')
    assert.equal(row?.lastResponseStatus, 500)
    assert.ok(row!.nextAttemptAt!.getTime() > Date.now() - 1000, 'the retry is scheduled in the future')
    // Not due yet: a pass just before the scheduled time does not attempt it again (a fixed clock,
    // so a slow machine cannot let the 50 ms backoff elapse between the two passes).
    const justBefore = new Date(row!.nextAttemptAt!.getTime() - 1)
    assert.equal(
      (await processDueDeliveries(handle.db, { policy: fastPolicy, now: () => justBefore })).filter(
        (o) => o.deliveryId === queued.deliveryId,
      ).length,
      0,
    )
    await drain()
    ;[row] = await handle.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, queued.deliveryId))
    assert.equal(row?.status, 'delivered')
    assert.equal(row?.attempts, 3)
  })

  test('after maxAttempts failures the delivery is marked failed; resend sends it again as a new delivery', async () => {
    const { merchant, secret } = await merchantWithEndpoint()
    const payment = await makePayment(handle.db, await makeLink(handle.db, merchant.id))
    await drain(2)
    hook.script.push(500, 500, 500)
    const queued = (await enqueuePaymentEvent(handle.db, payment))!
    await drain()
    const [row] = await handle.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, queued.deliveryId))
    assert.equal(row?.status, 'failed')
    assert.equal(row?.attempts, 3)
    assert.equal(row?.nextAttemptAt, null)

    const resent = await resendDelivery(handle.db, merchant.id, queued.deliveryId)
    assert.notEqual(resent.id, queued.deliveryId)
    assert.equal(resent.eventId, queued.eventId)
    const before = hook.received.length
    await drain(2)
    const got = hook.received.slice(before).find((r) => r.headers['tollgate-delivery-id'] === resent.id)
    assert.ok(got, 'the resend reached the endpoint')
    assert.equal(JSON.parse(got.body).id, queued.eventId, 'same event id, so receivers can deduplicate')
    assert.ok(Signature.verify({ header: got.headers['tollgate-signature'] as string, secret, rawBody: got.body }))
    const log = await listDeliveries(handle.db, merchant.id)
    assert.equal(log.deliveries.length, 2)
    assert.deepEqual(new Set(log.deliveries.map((d) => d.status)), new Set(['failed', 'delivered']))
  })

  test('concurrent workers never attempt the same delivery twice', async () => {
    const { merchant } = await merchantWithEndpoint()
    await drain(2)
    const link = await makeLink(handle.db, merchant.id)
    const ids = new Set<string>()
    for (let i = 0; i < 8; i++) ids.add((await enqueuePaymentEvent(handle.db, await makePayment(handle.db, link)))!.deliveryId)
    const before = hook.received.length
    const outcomes = (await Promise.all([1, 2, 3, 4].map(() => processDueDeliveries(handle.db, { policy: fastPolicy, limit: 3 })))).flat()
    await drain(2)
    const attempted = outcomes.map((o) => o.deliveryId).filter((id) => ids.has(id))
    assert.equal(new Set(attempted).size, attempted.length, 'no delivery attempted by two workers')
    const received = hook.received
      .slice(before)
      .map((r) => r.headers['tollgate-delivery-id'] as string)
      .filter((id) => ids.has(id))
    assert.equal(received.length, 8)
    assert.equal(new Set(received).size, 8)
  })

  test("resend of another merchant's delivery is not found; resend without an endpoint is refused", async () => {
    const { merchant } = await merchantWithEndpoint()
    const queued = (await enqueuePaymentEvent(handle.db, await makePayment(handle.db, await makeLink(handle.db, merchant.id))))!
    const other = await makeMerchant(handle.db)
    await assert.rejects(resendDelivery(handle.db, other.id, queued.deliveryId), DeliveryNotFoundError)
    assert.equal((await listDeliveries(handle.db, other.id)).total, 0)
    await setWebhookUrl(handle.db, merchant.id, null, local)
    await assert.rejects(resendDelivery(handle.db, merchant.id, queued.deliveryId), NoEndpointError)
    await drain(2)
  })

  test('settings: the first endpoint gets a secret, rotation replaces it, clearing keeps it', async () => {
    const merchant = await makeMerchant(handle.db)
    assert.deepEqual(await getWebhookSettings(handle.db, merchant.id), { url: null, secret: null })
    const set = await setWebhookUrl(handle.db, merchant.id, 'https://hooks.example.com/tollgate', strict)
    assert.match(set.secret!, /^whsec_[A-Za-z0-9_-]{43}$/)
    const rotated = await rotateWebhookSecret(handle.db, merchant.id)
    assert.notEqual(rotated.secret, set.secret)
    assert.equal((await setWebhookUrl(handle.db, merchant.id, '', strict)).secret, rotated.secret)
  })
})

test('endpoint URLs: https required, plain http only to a private host the operator allows, no credentials', async () => {
  assert.equal(await checkWebhookUrl('https://hooks.example.com/x', strict), 'https://hooks.example.com/x')
  assert.equal(await checkWebhookUrl('http://127.0.0.1:9999/x', local), 'http://127.0.0.1:9999/x')
  for (const [url, policy] of [
    ['http://hooks.example.com/x', local],
    ['http://hooks.example.com/x', strict],
    ['http://127.0.0.1:9999/x', strict],
    ['https://localhost/x', strict],
    ['https://u:p@hooks.example.com/x', strict],
    ['ftp://hooks.example.com/x', local],
    ['not a url', local],
    ['', local],
  ] as const) {
    await assert.rejects(checkWebhookUrl(url, policy), InvalidWebhookUrlError, url)
  }
})

test('the background worker delivers a newly queued event without anyone polling', async () => {
  const { openDb } = await import('@/lib/store/db')
  const handle = await openDb({ dataDir: 'memory://' })
  const hook = await endpoint()
  try {
    const merchant = await makeMerchant(handle.db)
    const { secret } = await setWebhookUrl(handle.db, merchant.id, hook.url, local)
    const queued = (await enqueuePaymentEvent(handle.db, await makePayment(handle.db, await makeLink(handle.db, merchant.id))))!
    const deadline = Date.now() + 10_000
    while (hook.received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    assert.equal(hook.received.length, 1)
    assert.equal(hook.received[0]!.headers['tollgate-delivery-id'], queued.deliveryId)
    assert.ok(
      Signature.verify({
        header: hook.received[0]!.headers['tollgate-signature'] as string,
        secret: secret!,
        rawBody: hook.received[0]!.body,
      }),
    )
  } finally {
    setWebhookWorkerEnabled(false)
    setWebhookWorkerEnabled(true)
    await hook.close()
    await handle.close()
  }
})

test('endpoints on non-public addresses are refused at save time, whatever the spelling', async () => {
  names.set('rebound.example.com', ['127.0.0.1'])
  for (const [url, reason] of [
    ['https://127.0.0.1/x', /127\.0\.0\.1 is a loopback address/],
    ['https://127.0.0.2/x', /127\.0\.0\.2 is a loopback address/],
    ['https://[::1]/x', /loopback/],
    ['https://[::ffff:127.0.0.1]/x', /IPv4-mapped form of a loopback/],
    ['https://0.0.0.0/x', /unspecified/],
    ['https://10.1.2.3/x', /private/],
    ['https://172.16.0.1/x', /private/],
    ['https://192.168.1.1/x', /private/],
    ['https://169.254.169.254/latest/meta-data/', /link-local \(cloud metadata\)/],
    ['https://localhost./x', /localhost\. names this server/],
    ['https://rebound.example.com/x', /rebound\.example\.com resolves to 127\.0\.0\.1, a loopback address/],
  ] as const) {
    await assert.rejects(
      checkWebhookUrl(url, strict),
      (error: Error) => error instanceof InvalidWebhookUrlError && reason.test(error.message),
      url,
    )
  }
})

test('an endpoint whose name resolves to 127.0.0.1 by delivery time is refused: never contacted, logged without a status', async () => {
  const { openDb } = await import('@/lib/store/db')
  const handle = await openDb({ dataDir: 'memory://' })
  const hook = await endpoint()
  setWebhookWorkerEnabled(false)
  try {
    names.set('hooks.merchant.example', ['93.184.216.34'])
    const merchant = await makeMerchant(handle.db)
    await setWebhookUrl(handle.db, merchant.id, `https://hooks.merchant.example:${new URL(hook.url).port}/hooks`, strict)
    const queued = (await enqueuePaymentEvent(handle.db, await makePayment(handle.db, await makeLink(handle.db, merchant.id))))!
    names.set('hooks.merchant.example', ['127.0.0.1'])
    const outcomes = await processDueDeliveries(handle.db, { policy: fastPolicy, outbound: strict })
    const mine = outcomes.find((o) => o.deliveryId === queued.deliveryId)
    assert.equal(mine?.ok, false)
    assert.equal(mine?.status, null)
    assert.match(mine?.error ?? '', /^refused: hooks\.merchant\.example resolves to 127\.0\.0\.1, a loopback address/)
    const [row] = await handle.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, queued.deliveryId))
    assert.equal(row?.lastResponseStatus, null)
    assert.match(row?.lastError ?? '', /^refused: /)
    assert.equal(row?.status, 'pending', 'retried later, in case the name points back at a public address')
    assert.equal(hook.received.length, 0, 'nothing reached the address behind the name')
  } finally {
    setWebhookWorkerEnabled(true)
    await hook.close()
    await handle.close()
  }
})
