// Issue 12 items 2 and 3, hostile merchant: Tollgate connects only to public addresses on a merchant's
// behalf. A running stack without ALLOW_PRIVATE_UPSTREAMS, resolving merchant hosts with a DNS server
// this test controls: every non-public address (and its other spellings, and a public-looking name that
// resolves to 127.0.0.1) is refused when saved as a proxy upstream or a webhook endpoint; a saved name
// whose DNS answer turns to 127.0.0.1 is refused when connecting, with nothing sent there.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { anvilPrivateKey } from '@/scripts/chain/deploy'
import { jsonInit, payWithMppx, signIn, until, type Client } from '@/test/dashboard/support'
import { startDnsServer, type DnsServer } from '@/test/support/dns-server'
import { startHostileUpstream, type HostileUpstream } from '@/test/support/hostile-upstream'
import { startStack, type Stack } from '@/test/support/stack'

/** Hosts a merchant may not make Tollgate connect to, and what the refusal says. */
const refusedHosts: Array<[string, RegExp]> = [
  ['127.0.0.1', /127\.0\.0\.1 is a loopback address/],
  ['127.0.0.2', /127\.0\.0\.2 is a loopback address/],
  ['[::1]', /\[::1\] is a loopback address/],
  ['[::ffff:127.0.0.1]', /IPv4-mapped form of a loopback address/],
  ['0.0.0.0', /unspecified/],
  ['10.0.0.1', /10\.0\.0\.1 is a private address/],
  ['172.16.0.1', /172\.16\.0\.1 is a private address/],
  ['192.168.1.1', /192\.168\.1\.1 is a private address/],
  ['169.254.169.254', /169\.254\.169\.254 is a link-local \(cloud metadata\) address/],
  ['localhost.', /localhost\. names this server/],
  ['localhost', /localhost names this server/],
  ['rebound.merchant-api.com', /rebound\.merchant-api\.com resolves to 127\.0\.0\.1, a loopback address/],
  // Other spellings of loopback that the URL parser turns into 127.0.0.1.
  ['2130706433', /127\.0\.0\.1 is a loopback address/],
  ['0x7f.1', /127\.0\.0\.1 is a loopback address/],
  ['[0:0:0:0:0:ffff:7f00:1]', /IPv4-mapped form of a loopback address/],
  ['[64:ff9b::a9fe:a9fe]', /NAT64 form of a link-local/],
  ['100.64.0.1', /carrier-grade NAT/],
  ['[fd00::1]', /unique local/],
]

describe('outbound connections reach public addresses only (issue 12, items 2 and 3)', () => {
  let dns: DnsServer
  let upstream: HostileUpstream
  let stack: Stack
  let merchant: Client
  const payer = anvilPrivateKey(5)

  before(async () => {
    dns = await startDnsServer()
    upstream = await startHostileUpstream()
    dns.set('rebound.merchant-api.com', ['127.0.0.1'])
    stack = await startStack({ env: { ALLOW_PRIVATE_UPSTREAMS: '0', UPSTREAM_DNS_SERVERS: dns.address } })
    merchant = await signIn(stack.url, anvilPrivateKey(0))
  })
  after(async () => {
    await stack?.stop()
    await upstream?.stop()
    await dns?.stop()
  })

  const createProxy = (slug: string, url: string) =>
    merchant.request(
      '/api/dashboard/links',
      jsonInit('POST', { slug, title: slug, price: '0.01', rails: ['evm'], resource: { kind: 'proxy', url } }),
    )

  test('each non-public upstream is refused when a link is created or updated, with a 400 naming why', async () => {
    const created = await createProxy('public-upstream', 'https://api.example-public.com/v1')
    const text = await created.text()
    assert.equal(created.status, 201, text)
    const { link } = JSON.parse(text) as { link: { id: string } }
    for (const [host, reason] of refusedHosts) {
      const url = `http://${host}:${upstream.port}/json`
      for (const response of [
        await createProxy(`ssrf-${refusedHosts.findIndex(([h]) => h === host)}`, url),
        await merchant.request(`/api/dashboard/links/${link.id}`, jsonInit('PATCH', { resource: { kind: 'proxy', url } })),
      ]) {
        assert.equal(response.status, 400, `${host}: ${response.status}`)
        const { error } = (await response.json()) as { error: { code: string; message: string; issues: Array<{ path: string }> } }
        assert.equal(error.code, 'invalid_input')
        assert.equal(error.issues[0]?.path, 'resource.url')
        assert.match(error.message, reason, host)
        assert.match(error.message, /Tollgate connects only to public addresses$/)
      }
    }
    assert.equal(upstream.hits('/json'), 0)
  })

  test('each non-public webhook endpoint is refused when saved', async () => {
    for (const [host, reason] of refusedHosts) {
      const response = await merchant.request('/api/dashboard/webhook', jsonInit('PUT', { url: `https://${host}:${upstream.port}/hooks` }))
      assert.equal(response.status, 400, host)
      const { error } = (await response.json()) as { error: { code: string; message: string } }
      assert.equal(error.code, 'invalid_url')
      assert.match(error.message, reason, host)
    }
    assert.equal(upstream.hits('/hooks'), 0)
  })

  test('a saved upstream whose DNS answer turns to 127.0.0.1 is refused when paid: a 502 problem, nothing fetched, a retry grant', async () => {
    // The endpoint first: its delivery for this payment is checked at connect time too.
    dns.set('hooks.merchant-api.com', ['93.184.216.34'])
    const hook = await merchant.request(
      '/api/dashboard/webhook',
      jsonInit('PUT', { url: `https://hooks.merchant-api.com:${upstream.port}/hooks` }),
    )
    assert.equal(hook.status, 200, await hook.text())
    dns.set('api.merchant-api.com', ['93.184.216.34'])
    const created = await createProxy('rebinding', `http://api.merchant-api.com:${upstream.port}/json`)
    assert.equal(created.status, 201, 'saved while the name pointed at a public address')

    dns.set('api.merchant-api.com', ['127.0.0.1'])
    dns.set('hooks.merchant-api.com', ['127.0.0.1'])
    const paid = await payWithMppx(`${stack.url}/l/rebinding`, payer)
    assert.equal(paid.status, 502)
    assert.match(paid.headers.get('content-type') ?? '', /^application\/problem\+json/)
    const problem = (await paid.json()) as { title: string; detail: string }
    assert.equal(problem.title, 'Paid, but the resource failed')
    assert.match(problem.detail, /Your payment was settled .* retry the same request to fetch it again without paying/)
    const grant = (paid.headers.get('set-cookie') ?? '').split(';')[0]!
    assert.match(grant, /^tg_[\w-]+=[\w-]+$/, 'a one-retry grant')
    assert.equal(upstream.hits('/json'), 0, 'nothing reached 127.0.0.1')

    const paymentId = /^<\/receipts\/([\w-]+)>/.exec(paid.headers.get('link') ?? '')?.[1]
    const { payment } = (await (await merchant.request(`/api/dashboard/payments/${paymentId}`)).json()) as {
      payment: { delivery: string; deliveryError: string }
    }
    assert.equal(payment.delivery, 'failed')
    assert.match(payment.deliveryError, /api\.merchant-api\.com resolves to 127\.0\.0\.1, a loopback address/)

    // The retry grant is refused the same way while DNS still points at loopback: a 502, never a 500.
    const retried = await fetch(`${stack.url}/l/rebinding`, { headers: { cookie: grant } })
    assert.equal(retried.status, 502)
    assert.match(retried.headers.get('content-type') ?? '', /^application\/problem\+json/)
    assert.equal(upstream.hits('/json'), 0)

    // The webhook delivery for the payment was refused too: logged as refused, no status from the target.
    const delivery = await until(async () => {
      const log = (await (await merchant.request('/api/dashboard/webhook/deliveries')).json()) as {
        deliveries: Array<{ paymentId: string; lastError: string | null; lastResponseStatus: number | null; attempts: number }>
      }
      return log.deliveries.find((d) => d.paymentId === paymentId && d.attempts > 0)
    }, 'the webhook attempt')
    assert.equal(delivery.lastResponseStatus, null)
    assert.match(delivery.lastError ?? '', /^refused: hooks\.merchant-api\.com resolves to 127\.0\.0\.1, a loopback address/)
    assert.equal(upstream.hits('/hooks'), 0)
  })

  test('a link saved while private upstreams were allowed (the seeded demo proxy) is refused once they are not', async () => {
    const paid = await payWithMppx(`${stack.url}/l/demo-api`, payer)
    assert.equal(paid.status, 502)
    assert.match(paid.headers.get('content-type') ?? '', /^application\/problem\+json/)
  })
})
