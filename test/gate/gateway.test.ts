// Issue 15 acceptance: service links, a paid gateway in front of an upstream API, on a running server, a
// real chain and an upstream this test starts. mppx and @x402/fetch pay a POST with a JSON body to a
// subpath with a query, a GET with a query, a JSON-RPC call and a batch (the sum); a JSON-RPC client that
// asks with `_meta` is answered -32042 and pays in `_meta` (the generic JSON-RPC binding); an event stream
// streams through; a free route needs no payment. The MPP digest binds the body and the challenge binds
// the call. after-success: an upstream 500 charges nothing and the same credential pays again, a 200
// charges once, 20 concurrent requests with one credential make one upstream call and one transfer.
// The payer's credentials and cookies never reach the upstream, the upstream's cookies never reach the
// payer, and the merchant's API key appears in no response and no log line.
import assert from 'node:assert/strict'
import http from 'node:http'
import { after, before, describe, test } from 'node:test'
import type { Hex } from 'viem'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Receipt from '@/lib/protocol/Receipt'
import * as PaymentResponse from '@/lib/protocol/x402/PaymentResponse'
import { anvilAccount, anvilPrivateKey } from '@/scripts/chain/deploy'
import { jsonInit, signIn, type Client } from '@/test/dashboard/support'
import { sendOversized } from '@/test/support/oversized-body'
import { startServiceUpstream, type ServiceUpstream } from '@/test/support/service-upstream'
import { type Stack, startStack } from '@/test/support/stack'
import { assertDiscoveryDocument } from './internal/discovery-spec'
import { type Ledger, baseUnits, ledger } from './internal/ledger'
import { mppCredentialFor, mppJsonRpcCredentialFor, mppxClient, x402Fetch, x402SignatureFor } from './internal/payers'
import { recordingFetch } from './internal/recording-fetch'

const apiKey = 'sk-upstream-3f9c1d2e8a7b6c5d4e3f2a1b'

describe('service links: a paid gateway in front of an upstream API', () => {
  let stack: Stack
  let upstream: ServiceUpstream
  let merchant: Client
  let chain: Ledger
  /** Every response this suite read, headers and body: none may hold the API key. */
  const seen: string[] = []

  before(async () => {
    upstream = await startServiceUpstream({ prefix: '/base' })
    stack = await startStack()
    chain = ledger(stack.chain)
    merchant = await signIn(stack.url, anvilPrivateKey(0))
    const create = async (body: unknown) => {
      const response = await merchant.request('/api/dashboard/links', jsonInit('POST', body))
      const text = await response.text()
      seen.push(text)
      assert.equal(response.status, 201, text)
    }
    await create({
      slug: 'gw-api',
      title: 'Test API',
      price: '0.002',
      rails: ['evm'],
      resource: {
        kind: 'service',
        upstreamUrl: `${upstream.url}/base`,
        pricing: {
          rules: [
            { method: 'GET', path: '/health', price: 'free' },
            { method: 'POST', path: '/v1/echo', price: '0.003' },
            { method: 'GET', path: '/v1/items', price: '0.001' },
            { method: 'GET', path: '/v1/events', price: '0.001' },
            { method: 'GET', path: '/v1/flaky', price: '0.002', settle: 'after-success' },
            { method: 'GET', path: '/v1/slow', price: '0.002', settle: 'after-success' },
          ],
          jsonRpc: null,
          settle: 'before',
        },
        secretHeader: { name: 'X-Api-Key', value: apiKey },
      },
    })
    await create({
      slug: 'gw-rpc',
      title: 'Test JSON-RPC',
      price: '0.005',
      rails: ['evm'],
      resource: {
        kind: 'service',
        upstreamUrl: `${upstream.url}/base/rpc`,
        pricing: { rules: [], jsonRpc: { methods: { eth_blockNumber: '0.001', eth_chainId: '0.002' } }, settle: 'before' },
        secretHeader: { name: 'Authorization', value: `Bearer ${apiKey}` },
      },
    })
    for (const settle of ['after-success', 'before'] as const)
      await create({
        slug: `gw-rpc-${settle === 'before' ? 'before' : 'after'}`,
        title: `Flaky JSON-RPC, settle ${settle}`,
        price: '0.004',
        rails: ['evm'],
        resource: {
          kind: 'service',
          upstreamUrl: `${upstream.url}/base/v1/flaky`,
          pricing: { rules: [], jsonRpc: { methods: { eth_call: '0.001' } }, settle },
        },
      })
  })
  after(async () => {
    await stack?.stop()
    await upstream?.stop()
  })

  async function read(response: Response): Promise<string> {
    const text = await response.text()
    seen.push(JSON.stringify([...response.headers]), text)
    return text
  }

  /** Runs `pay` and checks that the merchant got exactly `priceUsd` from `payer` in one transfer. */
  async function paidOnce<T>(payer: number, priceUsd: string, pay: () => Promise<T>): Promise<T> {
    const from = anvilAccount(payer).address
    const [merchantBefore, payerBefore, block] = [
      await chain.balanceOf(stack.merchant),
      await chain.balanceOf(from),
      await chain.blockNumber(),
    ]
    const result = await pay()
    assert.equal(await chain.balanceOf(stack.merchant), merchantBefore + baseUnits(priceUsd), 'the merchant got exactly the price')
    assert.equal(await chain.balanceOf(from), payerBefore - baseUnits(priceUsd), 'the payer paid exactly the price')
    const transfers = (await chain.transfersTo(stack.merchant, block + 1n)).filter((t) => t.from === from)
    assert.equal(transfers.length, 1, 'one transfer')
    return result
  }

  async function unchargedBalances(payer: number): Promise<() => Promise<void>> {
    const from = anvilAccount(payer).address
    const [merchantBefore, payerBefore] = [await chain.balanceOf(stack.merchant), await chain.balanceOf(from)]
    return async () => {
      assert.equal(await chain.balanceOf(from), payerBefore, 'the payer was charged nothing')
      assert.equal(await chain.balanceOf(stack.merchant), merchantBefore, 'the merchant received nothing')
    }
  }

  const lastReceived = (path: string) => [...upstream.received].reverse().find((r) => r.path === path)!

  test('an unpaid call gets a 402 whose challenge binds the body and names the call', async () => {
    const response = await fetch(`${stack.url}/l/gw-api/v1/echo?x=1`, jsonInit('POST', { hello: 'world' }))
    assert.equal(response.status, 402)
    assert.equal(response.headers.get('cache-control'), 'no-store')
    const [challenge] = Challenge.deserializeList(response.headers.get('www-authenticate') ?? '')
    assert.equal(challenge!.request.amount, String(baseUnits('0.003')))
    assert.match(challenge!.digest ?? '', /^sha-256=:/)
    assert.equal(challenge!.description, 'Test API: POST /v1/echo')
    assert.ok(response.headers.get('payment-required'), 'x402 is offered too')
    await read(response)
    assert.equal(upstream.hits('/base/v1/echo'), 0, 'nothing is forwarded before payment')
  })

  test('mppx pays a POST with a JSON body to a subpath with a query; the upstream gets the call with the merchant key and nothing of the payer', async () => {
    const body = JSON.stringify({ prompt: 'hello', n: 2 })
    const response = await paidOnce(1, '0.003', () =>
      mppxClient(anvilAccount(1)).fetch(`${stack.url}/l/gw-api/v1/echo?x=1&y=two_words`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: 'tg_session=payer', 'x-custom': 'dropped' },
        body,
      }),
    )
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('cache-control'), 'private')
    assert.equal(Receipt.deserialize(response.headers.get('payment-receipt')!).status, 'success')
    assert.match(response.headers.get('content-security-policy') ?? '', /sandbox/)
    const echoed = JSON.parse(await read(response)) as { method: string; path: string; query: string; body: string }
    assert.deepEqual(echoed, { method: 'POST', path: '/base/v1/echo', query: 'x=1&y=two_words', body })
    const received = lastReceived('/base/v1/echo')
    assert.equal(received.headers['x-api-key'], apiKey)
    assert.equal(received.headers['content-type'], 'application/json')
    for (const name of ['authorization', 'payment-authorization', 'payment-signature', 'cookie', 'x-custom'])
      assert.equal(received.headers[name], undefined, `${name} is not forwarded`)
  })

  test('@x402/fetch pays a GET with a query: PAYMENT-RESPONSE names the transfer', async () => {
    const response = await paidOnce(2, '0.001', () => x402Fetch(anvilAccount(2), stack.chain)(`${stack.url}/l/gw-api/v1/items?page=2&q=a`))
    assert.equal(response.status, 200, await response.clone().text())
    const settlement = PaymentResponse.decode(response.headers.get('payment-response')!)
    assert.equal(settlement.success, true)
    assert.equal((await chain.transfersIn(settlement.transaction as Hex))[0]!.value, baseUnits('0.001'))
    assert.deepEqual(JSON.parse(await read(response)), { method: 'GET', path: '/base/v1/items', query: 'page=2&q=a', body: '' })
    assert.equal(lastReceived('/base/v1/items').headers['payment-signature'], undefined)
  })

  test('mppx pays a GET with a query too', async () => {
    const response = await paidOnce(3, '0.001', () => mppxClient(anvilAccount(3)).fetch(`${stack.url}/l/gw-api/v1/items?id=7`))
    assert.equal(response.status, 200)
    assert.equal((JSON.parse(await read(response)) as { query: string }).query, 'id=7')
  })

  test('a JSON-RPC call is priced by its method and paid with mppx; a batch costs the sum and is paid with @x402/fetch', async () => {
    const call = { jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }
    const single = await paidOnce(4, '0.001', () => mppxClient(anvilAccount(4)).fetch(`${stack.url}/l/gw-rpc`, jsonInit('POST', call)))
    assert.equal(single.status, 200)
    assert.deepEqual(JSON.parse(await read(single)), { jsonrpc: '2.0', id: 1, result: '0x2a' })
    assert.equal(lastReceived('/base/rpc').headers.authorization, `Bearer ${apiKey}`, 'the merchant key, not the payer credential')

    const batch = [call, { jsonrpc: '2.0', id: 2, method: 'eth_chainId', params: [] }]
    const unpaid = await fetch(`${stack.url}/l/gw-rpc`, jsonInit('POST', batch))
    assert.equal(unpaid.status, 402)
    assert.equal(Challenge.deserializeList(unpaid.headers.get('www-authenticate') ?? '')[0]!.request.amount, String(baseUnits('0.003')))
    await read(unpaid)
    const paid = await paidOnce(5, '0.003', () => x402Fetch(anvilAccount(5), stack.chain)(`${stack.url}/l/gw-rpc`, jsonInit('POST', batch)))
    assert.equal(paid.status, 200, await paid.clone().text())
    assert.deepEqual(JSON.parse(await read(paid)), [
      { jsonrpc: '2.0', id: 1, result: '0x2a' },
      { jsonrpc: '2.0', id: 2, result: '0x7a69' },
    ])
  })

  test("a JSON-RPC client that sends `_meta` is answered in JSON-RPC: -32042, paid with the credential in `_meta`, the receipt in the answer's `_meta`", async () => {
    type RpcAnswer = {
      id: unknown
      result?: unknown
      error?: { code: number; data: { httpStatus?: number; challenges?: Array<{ id: string; request: { amount: string } }> } }
      _meta?: Record<string, { status: string; challengeId: string; reference: string }>
    }
    const post = async (message: unknown) => {
      const response = await fetch(`${stack.url}/l/gw-rpc`, jsonInit('POST', message))
      assert.equal(response.status, 200, 'a JSON-RPC client reads its errors in an HTTP 200')
      return { response, answer: JSON.parse(await read(response)) as RpcAnswer }
    }
    const call = { jsonrpc: '2.0', method: 'eth_blockNumber', params: [] }
    const first = await post({ ...call, id: 'q1', _meta: {} })
    assert.equal(first.answer.id, 'q1')
    assert.equal(first.answer.error?.code, -32042)
    assert.equal(first.answer.error.data.httpStatus, 402)
    const challenges = first.answer.error.data.challenges!
    assert.equal(challenges[0]!.request.amount, String(baseUnits('0.001')), 'the request is a native JSON object, priced by the method')
    assert.equal(first.response.headers.get('www-authenticate'), null)

    const credential = await mppJsonRpcCredentialFor(anvilAccount(4), challenges)
    const meta = { 'org.paymentauth/credential': credential }
    // A new id and another member order: the challenge binds the call, not the envelope.
    const paid = await paidOnce(4, '0.001', () => post({ _meta: meta, params: [], method: 'eth_blockNumber', id: 'q2', jsonrpc: '2.0' }))
    assert.equal(paid.answer.id, 'q2')
    assert.equal(paid.answer.result, '0x2a')
    const receipt = paid.answer._meta!['org.paymentauth/receipt']!
    assert.equal(receipt.status, 'success')
    assert.equal(receipt.challengeId, challenges[0]!.id)
    assert.match(receipt.reference, /^0x[0-9a-f]{64}$/)
    assert.equal(Receipt.deserialize(paid.response.headers.get('payment-receipt')!).reference, receipt.reference)
    const forwarded = lastReceived('/base/rpc')
    assert.deepEqual(
      JSON.parse(forwarded.body),
      { params: [], method: 'eth_blockNumber', id: 'q2', jsonrpc: '2.0' },
      'the upstream gets no `_meta`',
    )

    const check = await unchargedBalances(4)
    const replay = await post({ ...call, id: 'q3', _meta: meta })
    assert.ok(replay.answer.error && [-32042, -32043].includes(replay.answer.error.code), JSON.stringify(replay.answer))
    assert.ok(replay.answer.error.data.challenges!.length > 0, 'fresh challenges to pay')
    assert.equal(replay.answer.result, undefined)

    const swapped = await post({ jsonrpc: '2.0', id: 'q4', method: 'eth_chainId', params: [], _meta: meta })
    assert.equal(swapped.answer.error?.code, -32043, 'a credential for one call does not pay another')

    const malformed = await post({ ...call, id: 'q5', _meta: { 'org.paymentauth/credential': { challenge: 'nope' } } })
    assert.equal(malformed.answer.error?.code, -32602)
    assert.ok(malformed.answer.error.data.challenges!.length > 0)
    await check()
  })

  test("in the JSON-RPC binding a failed upstream after success is a JSON-RPC error and charges nothing; settled before, the upstream's answer comes with the receipt and the same credential gets the answer again", async () => {
    type RpcAnswer = {
      error?: { code: number; data: { httpStatus: number; challenges?: unknown[]; problem: { title: string } } }
      _meta?: unknown
    }
    const post = async (slug: string, message: unknown) => {
      const response = await fetch(`${stack.url}/l/${slug}`, jsonInit('POST', message))
      return { status: response.status, text: await read(response) }
    }
    const call = { jsonrpc: '2.0', method: 'eth_call', params: [{ to: '0x0' }] }
    const pay = async (slug: string, payer: number) => {
      const first = JSON.parse((await post(slug, { ...call, id: 1, _meta: {} })).text) as RpcAnswer
      assert.equal(first.error?.code, -32042)
      return { 'org.paymentauth/credential': await mppJsonRpcCredentialFor(anvilAccount(payer), first.error.data.challenges!) }
    }
    upstream.setFlakyStatus(500)
    try {
      const afterMeta = await pay('gw-rpc-after', 8)
      const check = await unchargedBalances(8)
      const notCharged = await post('gw-rpc-after', { ...call, id: 2, _meta: afterMeta })
      assert.equal(notCharged.status, 200)
      const failed = JSON.parse(notCharged.text) as RpcAnswer
      assert.equal(failed.error?.data.httpStatus, 502)
      assert.equal(failed.error.data.problem.title, 'The resource failed; nothing was charged')
      assert.equal(failed._meta, undefined, 'no receipt: nothing was paid')
      await check()

      const beforeMeta = await pay('gw-rpc-before', 9)
      const paid = await paidOnce(9, '0.001', () =>
        fetch(`${stack.url}/l/gw-rpc-before`, jsonInit('POST', { ...call, id: 3, _meta: beforeMeta })),
      )
      assert.equal(paid.status, 500, "settled before, the upstream's own answer comes through")
      assert.deepEqual(JSON.parse(await read(paid)), { status: 500 })
      assert.ok(paid.headers.get('payment-receipt'), 'with the receipt (the answer is not JSON-RPC, so in the header)')

      upstream.setFlakyStatus(200)
      const recheck = await unchargedBalances(9)
      const retried = await post('gw-rpc-before', { ...call, id: 4, _meta: beforeMeta })
      assert.equal(retried.status, 200)
      assert.deepEqual(JSON.parse(retried.text), { status: 200 }, 'the retry gets the answer it paid for')
      await recheck()
    } finally {
      upstream.setFlakyStatus(500) // the upstream's default
    }
  })

  test('a paid event stream streams through: the first event arrives while the upstream is still sending', async () => {
    const response = await mppxClient(anvilAccount(6)).fetch(`${stack.url}/l/gw-api/v1/events`)
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/)
    assert.ok(response.headers.get('payment-receipt'))
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    let text = ''
    const deadline = setTimeout(() => void reader.cancel(), 15_000)
    try {
      while (!text.includes('data: one')) {
        const { done, value } = await reader.read()
        assert.ok(!done, 'the stream ended before its first event: it was buffered, or cut')
        text += decoder.decode(value, { stream: true })
      }
      assert.equal(upstream.eventsFinished(), false, 'the first event arrived before the upstream finished')
      upstream.releaseEvents()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        text += decoder.decode(value, { stream: true })
      }
    } finally {
      clearTimeout(deadline)
    }
    assert.equal(text, 'data: one\n\ndata: two\n\n')
    assert.equal(upstream.eventsFinished(), true)
  })

  test('a free route needs no payment; hop-by-hop, credentials, cookies and payment headers never reach the upstream, its cookies never reach the payer', async () => {
    const answer = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const request = http.request(
        `${stack.url}/l/gw-api/health?y=two_words~&z=a%20b+c`,
        {
          headers: {
            connection: 'keep-alive, x-hop-secret',
            'x-hop-secret': 'hop',
            'keep-alive': 'timeout=1',
            te: 'trailers',
            'proxy-authorization': 'Basic cGF5ZXI6c2VjcmV0',
            authorization: 'Bearer payer-own-token',
            cookie: 'tg_session=payer',
            'payment-authorization': 'Payment e30',
            'x-forwarded-for': '203.0.113.9',
            'x-api-key': 'payer-tries-to-set-the-key',
            accept: 'application/json',
          },
        },
        (response) => {
          let body = ''
          response.on('data', (chunk: Buffer) => (body += chunk.toString()))
          response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }))
        },
      )
      request.on('error', reject)
      request.end()
    })
    seen.push(JSON.stringify(answer))
    assert.equal(answer.status, 200, answer.body)
    assert.deepEqual(JSON.parse(answer.body), { ok: true })
    assert.equal(answer.headers['set-cookie'], undefined, "the upstream's Set-Cookie never reaches the payer")
    assert.equal(answer.headers.location, undefined)
    assert.equal(answer.headers['x-request-id'], 'req-1')
    assert.equal(answer.headers['payment-receipt'], undefined)
    const received = lastReceived('/base/health')
    assert.equal(received.query, 'y=two_words~&z=a%20b+c', 'the query is forwarded as the payer sent it')
    assert.equal(received.headers['x-api-key'], apiKey, 'the payer cannot set or override the merchant key')
    assert.equal(received.headers.accept, 'application/json')
    for (const name of [
      'x-hop-secret',
      'keep-alive',
      'te',
      'proxy-authorization',
      'authorization',
      'cookie',
      'payment-authorization',
      'x-forwarded-for',
    ])
      assert.equal(received.headers[name], undefined, `${name} is not forwarded`)
  })

  test('the MPP digest binds the body, and the challenge binds the call: a credential for one is refused (402) for another', async () => {
    const payer = anvilAccount(7)
    const url = `${stack.url}/l/gw-api/v1/echo`
    const challengeFor = await fetch(url, jsonInit('POST', { prompt: 'cheap' }))
    const credential = await mppCredentialFor(payer, challengeFor)
    const check = await unchargedBalances(7)
    const swapped = await fetch(url, {
      ...jsonInit('POST', { prompt: 'something else entirely' }),
      headers: { 'content-type': 'application/json', authorization: credential },
    })
    assert.equal(swapped.status, 402)
    assert.match(await read(swapped), /verification-failed.*does not match the digest/)

    const items = await fetch(`${stack.url}/l/gw-api/v1/items?id=1`)
    const itemCredential = await mppCredentialFor(payer, items)
    const other = await fetch(`${stack.url}/l/gw-api/v1/items?id=2`, { headers: { authorization: itemCredential } })
    assert.equal(other.status, 402)
    assert.match(await read(other), /invalid-challenge.*different request/)
    await check()
    assert.equal(upstream.received.filter((r) => r.body.includes('something else')).length, 0)

    // The credential itself was good: with its own body it pays.
    const own = await paidOnce(7, '0.003', () =>
      fetch(url, { ...jsonInit('POST', { prompt: 'cheap' }), headers: { 'content-type': 'application/json', authorization: credential } }),
    )
    assert.equal(own.status, 200, await own.clone().text())
    await read(own)
  })

  test('after-success with mppx: an upstream 500 charges nothing and the same credential pays again once the upstream answers 200', async () => {
    upstream.setFlakyStatus(500)
    const hitsBefore = upstream.hits('/base/v1/flaky')
    const recorder = recordingFetch()
    const check = await unchargedBalances(8)
    const failed = await mppxClient(anvilAccount(8), { fetch: recorder.fetch }).fetch(`${stack.url}/l/gw-api/v1/flaky`)
    assert.equal(failed.status, 502)
    const problem = JSON.parse(await read(failed)) as { title: string; detail: string }
    assert.equal(problem.title, 'The resource failed; nothing was charged')
    assert.match(problem.detail, /the service answered 500\. Your payment was not settled; the same credential can pay again/)
    assert.equal(failed.headers.get('payment-receipt'), null)
    await check()
    assert.equal(upstream.hits('/base/v1/flaky'), hitsBefore + 1)

    upstream.setFlakyStatus(200)
    const credential = recorder.sent[0]!.value
    const paid = await paidOnce(8, '0.002', () => fetch(`${stack.url}/l/gw-api/v1/flaky`, { headers: { authorization: credential } }))
    assert.equal(paid.status, 200, await paid.clone().text())
    assert.ok(paid.headers.get('payment-receipt'))
    assert.deepEqual(JSON.parse(await read(paid)), { status: 200 })

    const replay = await unchargedBalances(8)
    const again = await fetch(`${stack.url}/l/gw-api/v1/flaky`, { headers: { authorization: credential } })
    assert.equal(again.status, 402, 'a settled credential pays once')
    await read(again)
    await replay()
    assert.equal(upstream.hits('/base/v1/flaky'), hitsBefore + 2)
  })

  test('after-success with @x402/fetch: a 500 charges nothing, the same PAYMENT-SIGNATURE pays once the upstream answers 200', async () => {
    upstream.setFlakyStatus(503)
    const payer = anvilAccount(9)
    const signature = await x402SignatureFor(payer, stack.chain, await fetch(`${stack.url}/l/gw-api/v1/flaky`))
    const check = await unchargedBalances(9)
    const failed = await fetch(`${stack.url}/l/gw-api/v1/flaky`, { headers: { 'payment-signature': signature } })
    assert.equal(failed.status, 502)
    assert.match(await read(failed), /the service answered 503.*nothing|nothing was charged/)
    await check()
    upstream.setFlakyStatus(200)
    const paid = await paidOnce(9, '0.002', () => fetch(`${stack.url}/l/gw-api/v1/flaky`, { headers: { 'payment-signature': signature } }))
    assert.equal(paid.status, 200, await paid.clone().text())
    assert.equal(PaymentResponse.decode(paid.headers.get('payment-response')!).success, true)
    await read(paid)
  })

  test('after-success: 20 concurrent requests with one credential make exactly one upstream call and one transfer', async () => {
    const payer = anvilAccount(1)
    const credential = await mppCredentialFor(payer, await fetch(`${stack.url}/l/gw-api/v1/slow`))
    const responses = await paidOnce(1, '0.002', () =>
      Promise.all(Array.from({ length: 20 }, () => fetch(`${stack.url}/l/gw-api/v1/slow`, { headers: { authorization: credential } }))),
    )
    const statuses = responses.map((r) => r.status)
    assert.equal(statuses.filter((s) => s === 200).length, 1, `statuses: ${statuses.join(',')}`)
    assert.ok(
      statuses.every((s) => s === 200 || s === 402),
      `statuses: ${statuses.join(',')}`,
    )
    await Promise.all(responses.map(read))
    assert.equal(upstream.hits('/base/v1/slow'), 1)
  })

  test('an oversized body is refused with 413 before pricing, and nothing is forwarded', async () => {
    const before = upstream.received.length
    const answer = await sendOversized(`${stack.url}/l/gw-api/v1/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      totalBytes: 1024 * 1024 + 1,
      declareLength: false,
      chunkBytes: 64 * 1024,
      fill: 0x7b,
    })
    assert.equal(answer.status, 413)
    assert.equal(answer.contentType, 'application/problem+json')
    assert.equal(upstream.received.length, before)
  })

  test('other link kinds keep GET and HEAD at /l/{slug}: 405 for other methods, 404 below them', async () => {
    const post = await fetch(`${stack.url}/l/demo`, { method: 'POST', body: '{}' })
    assert.equal(post.status, 405)
    assert.equal(post.headers.get('allow'), 'GET, HEAD')
    const below = await fetch(`${stack.url}/l/demo/anything`)
    assert.equal(below.status, 404)
    const demo = await fetch(`${stack.url}/l/demo`)
    assert.equal(demo.status, 402)
    await Promise.all([post, below, demo].map(read))
  })

  test('/openapi.json lists each priced route of a service link with its price, and its JSON-RPC methods', async () => {
    const document = (await (await fetch(`${stack.url}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { 'x-payment-info'?: { offers: Array<{ amount: string | null }> }; 'x-json-rpc-methods'?: unknown }>
      >
    }
    const operations = assertDiscoveryDocument(document)
    assert.equal(operations.get('POST /l/gw-api/v1/echo')?.[0]?.amount, String(baseUnits('0.003')))
    assert.equal(operations.get('GET /l/gw-api/v1/items')?.[0]?.amount, String(baseUnits('0.001')))
    assert.equal(operations.get('GET /l/gw-api/{path}')?.[0]?.amount, String(baseUnits('0.002')), 'the default price')
    assert.ok(
      document.paths['/l/gw-api/health']?.get && !document.paths['/l/gw-api/health'].get['x-payment-info'],
      'a free route, without offers',
    )
    const rpcMethods = document.paths['/l/gw-rpc']?.post?.['x-json-rpc-methods'] as Array<{ method: string }>
    assert.deepEqual(
      rpcMethods.sort((a, b) => (a.method < b.method ? -1 : 1)),
      [
        { method: '*', price: '0.005' },
        { method: 'eth_blockNumber', price: '0.001' },
        { method: 'eth_chainId', price: '0.002' },
      ],
    )
    assert.equal(operations.get('POST /l/gw-rpc')?.[0]?.amount, null, 'priced per call')
  })

  test("the merchant's API key appears in no response and no log line", () => {
    const logs = stack.apps.map((app) => app.logs()).join('\n')
    assert.match(logs, /Ready in/, 'the app output is captured')
    assert.ok(seen.length > 20)
    for (const text of seen) assert.ok(!text.includes(apiKey) && !text.includes(apiKey.slice(-12)), 'a response holds the API key')
    assert.ok(!logs.includes(apiKey) && !logs.includes(apiKey.slice(-12)), 'the logs hold the API key')
    assert.ok(
      upstream.received.some((r) => r.headers['x-api-key'] === apiKey),
      'the key was sent upstream (the check is not vacuous)',
    )
  })
})
