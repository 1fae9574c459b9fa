// Issue 15, hostile merchant: a service link's upstream is a connection Tollgate makes on the merchant's
// behalf, so only public addresses are reached unless the operator allows others. A stack without
// ALLOW_PRIVATE_UPSTREAMS, resolving merchant hosts with a DNS server this test controls: loopback, cloud
// metadata and private upstreams are refused when saved; a saved name whose DNS answer turns to one of
// them is refused at request time (the answer is checked on the connection's own lookup), with nothing
// sent there — a free call gets a 502 problem, a call settled after success charges nothing.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { anvilAccount, anvilPrivateKey } from '@/scripts/chain/deploy'
import { jsonInit, signIn, type Client } from '@/test/dashboard/support'
import { startDnsServer, type DnsServer } from '@/test/support/dns-server'
import { startServiceUpstream, type ServiceUpstream } from '@/test/support/service-upstream'
import { startStack, type Stack } from '@/test/support/stack'
import { ledger } from '@/test/gate/internal/ledger'
import { mppxClient } from '@/test/gate/internal/payers'

const refused: Array<[string, RegExp]> = [
  ['127.0.0.1', /127\.0\.0\.1 is a loopback address/],
  ['169.254.169.254', /169\.254\.169\.254 is a link-local \(cloud metadata\) address/],
  ['10.1.2.3', /10\.1\.2\.3 is a private address/],
  ['rebound.service-api.com', /rebound\.service-api\.com resolves to 127\.0\.0\.1, a loopback address/],
]

describe('service links reach public upstreams only (issue 15)', () => {
  let dns: DnsServer
  let upstream: ServiceUpstream
  let stack: Stack
  let merchant: Client

  before(async () => {
    dns = await startDnsServer()
    upstream = await startServiceUpstream()
    dns.set('rebound.service-api.com', ['127.0.0.1'])
    stack = await startStack({ env: { ALLOW_PRIVATE_UPSTREAMS: '0', UPSTREAM_DNS_SERVERS: dns.address } })
    merchant = await signIn(stack.url, anvilPrivateKey(0))
  })
  after(async () => {
    await stack?.stop()
    await upstream?.stop()
    await dns?.stop()
  })

  const service = (slug: string, upstreamUrl: string) =>
    jsonInit('POST', {
      slug,
      title: slug,
      price: '0.002',
      rails: ['evm'],
      resource: {
        kind: 'service',
        upstreamUrl,
        pricing: { rules: [{ method: 'GET', path: '/health', price: 'free' }], jsonRpc: null, settle: 'after-success' },
        secretHeader: { name: 'X-Api-Key', value: 'sk-never-sent-anywhere-private' },
      },
    })

  test('loopback, cloud metadata, private and rebinding upstreams are refused when saved, with a 400 naming why', async () => {
    for (const [host, reason] of refused) {
      const response = await merchant.request(
        '/api/dashboard/links',
        service(`svc-${refused.findIndex(([h]) => h === host)}`, `http://${host}:${upstream.port}/v1`),
      )
      assert.equal(response.status, 400, host)
      const { error } = (await response.json()) as { error: { message: string; issues: Array<{ path: string }> } }
      assert.equal(error.issues[0]?.path, 'resource.upstreamUrl')
      assert.match(error.message, reason)
    }
    assert.equal(upstream.received.length, 0)
  })

  test('a saved upstream whose DNS answer turns private is refused at request time: nothing is sent, nothing is charged', async () => {
    dns.set('api.service-api.com', ['93.184.216.34'])
    const created = await merchant.request(
      '/api/dashboard/links',
      service('rebinding-api', `http://api.service-api.com:${upstream.port}/v1`),
    )
    assert.equal(created.status, 201, await created.text())
    const chain = ledger(stack.chain)
    const payer = anvilAccount(3)
    for (const address of ['127.0.0.1', '169.254.169.254', '10.0.0.1']) {
      dns.set('api.service-api.com', [address])
      const free = await fetch(`${stack.url}/l/rebinding-api/health`)
      assert.equal(free.status, 502, address)
      assert.match(free.headers.get('content-type') ?? '', /^application\/problem\+json/)
      const problem = (await free.json()) as { detail: string }
      assert.equal(problem.detail, 'The service is at an address Tollgate does not connect to.')
      assert.ok(!problem.detail.includes('service-api.com'), 'the payer is not told the upstream host')

      const [payerBefore, merchantBefore] = [await chain.balanceOf(payer.address), await chain.balanceOf(stack.merchant)]
      const paid = await mppxClient(payer).fetch(`${stack.url}/l/rebinding-api/v1/items`)
      assert.equal(paid.status, 502, address)
      assert.match(await paid.text(), /nothing was charged|nothing/i)
      assert.equal(await chain.balanceOf(payer.address), payerBefore, 'the payer was charged nothing')
      assert.equal(await chain.balanceOf(stack.merchant), merchantBefore)
    }
    assert.equal(upstream.received.length, 0, 'nothing reached the upstream')
    const logs = stack.apps.map((app) => app.logs()).join('\n')
    assert.match(logs, /api\.service-api\.com resolves to 127\.0\.0\.1, a loopback address/, 'the merchant side is logged')
    assert.ok(!logs.includes('sk-never-sent-anywhere-private'))
  })
})
