// server.mjs answers unpaid GET/HEAD /l/{slug} itself, with the same link handler bundled on its own, before
// Next routes the request (lib/gate/fast-path.ts). Whatever answers, a payer must see the same thing: the same
// statuses, problem bodies and headers that matter, challenges that verify and pay — and money, grants and
// everything else still go through Next.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { after, before, describe, test } from 'node:test'
import * as Binding from '@/lib/protocol/Binding'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Credential from '@/lib/protocol/Credential'
import { fastLinkSlug, fastVoucherSlug } from '@/lib/gate/fast-path'
import { anvilAccount } from '@/scripts/chain/deploy'
import type { RunningApp } from '@/scripts/app'
import { createDatabase, postgresInstalled, startPostgres, type PostgresServer } from '@/test/support/postgres'
import { startStack, type Stack } from '@/test/support/stack'
import { mppCredentialFor } from './internal/payers'

const skip = postgresInstalled() ? false : 'PostgreSQL is not installed (apt-get install postgresql)'
if (skip) console.warn(`\n!!! fast path comparison SKIPPED — ${skip} !!!\n`)

const navigation = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-mode': 'navigate' }

/** node:http, not fetch: undici sends its own Sec-Fetch-Mode, so fetch can never look like a navigation. */
function get(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Headers; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => {
        const collected = new Headers()
        for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') collected.set(name, value)
        resolve({ status: response.statusCode ?? 0, headers: collected, body: Buffer.concat(chunks).toString('utf8') })
      })
    })
      .on('error', reject)
      .end()
  })
}

describe('unpaid link requests answered before Next, exactly as Next answers them', { skip }, () => {
  let server: PostgresServer | null = null
  let stack: Stack
  let withoutFastPath: RunningApp

  before(async () => {
    server = await startPostgres()
    if (!server) throw new Error('PostgreSQL is installed but did not start')
    // Two instances on one database: the first answers unpaid link requests itself, the second leaves them to Next.
    stack = await startStack({ databaseUrl: await createDatabase(server, `fast_${randomBytes(6).toString('hex')}`) })
    withoutFastPath = await stack.addInstance({ TOLLGATE_FAST_PATH: '0' })
  })
  after(async () => {
    await stack?.stop()
    await server?.stop()
  })

  test('which requests it takes: unpaid GET/HEAD of /l/{slug} without a grant cookie, nothing else', () => {
    assert.equal(fastLinkSlug('GET', '/l/demo', {}), 'demo')
    assert.equal(fastLinkSlug('HEAD', '/l/demo?size=1', {}), 'demo')
    assert.equal(fastLinkSlug('GET', '/l/demo', { cookie: 'tg_abc=1' }), null)
    assert.equal(fastLinkSlug('GET', '/l/demo', { cookie: 'theme=dark; tg_abc=1' }), null)
    assert.equal(fastLinkSlug('GET', '/l/demo', { cookie: 'theme=dark' }), 'demo')
    assert.equal(fastLinkSlug('GET', '/l/demo', { authorization: 'Payment x' }), null)
    assert.equal(fastLinkSlug('GET', '/l/demo', { 'payment-authorization': 'x' }), null)
    assert.equal(fastLinkSlug('GET', '/l/demo', { 'payment-signature': 'x' }), null)
    assert.equal(fastLinkSlug('POST', '/l/demo', {}), null)
    assert.equal(fastLinkSlug('GET', '/l/demo/sub', {}), null)
    assert.equal(fastLinkSlug('GET', '/l/', {}), null)
    assert.equal(fastLinkSlug('GET', '/pay?u=/l/demo', {}), null)
  })

  test('which paid requests it takes: GET/HEAD of /l/{slug} paid by a plain session voucher, nothing that may move money', () => {
    const challenge = Challenge.create({
      secret: 'test',
      realm: 'example',
      method: 'evm',
      intent: 'session',
      request: { amount: '1000', currency: '0x0000000000000000000000000000000000000001' },
    })
    const voucher = { action: 'voucher', channelId: `0x${'11'.repeat(32)}`, cumulativeAmount: '2000', signature: `0x${'22'.repeat(65)}` }
    const paying = (payload: Record<string, unknown>, over: Partial<typeof challenge> = {}) =>
      Credential.serialize({ challenge: { ...challenge, ...over }, payload })
    assert.equal(fastVoucherSlug('GET', '/l/demo', { authorization: paying(voucher) }), 'demo')
    assert.equal(fastVoucherSlug('HEAD', '/l/demo', { authorization: paying(voucher) }), 'demo')
    assert.equal(fastVoucherSlug('GET', '/l/demo', { 'payment-authorization': paying(voucher) }), 'demo')
    // Each of these may move money on chain, or is not a voucher: Next handles them.
    for (const action of ['open', 'topUp', 'close'])
      assert.equal(fastVoucherSlug('GET', '/l/demo', { authorization: paying({ ...voucher, action }) }), null)
    assert.equal(fastVoucherSlug('GET', '/l/demo', { authorization: paying({ ...voucher, deposit: { action: 'topUp' } }) }), null)
    assert.equal(fastVoucherSlug('GET', '/l/demo', { authorization: paying(voucher, { intent: 'charge' }) }), null)
    assert.equal(fastVoucherSlug('GET', '/l/demo', { authorization: paying(voucher), 'payment-signature': 'x' }), null)
    assert.equal(fastVoucherSlug('GET', '/l/demo', { authorization: paying(voucher), cookie: 'tg_abc=1' }), null)
    assert.equal(fastVoucherSlug('GET', '/l/demo', { authorization: [paying(voucher), paying(voucher)] }), null)
    assert.equal(fastVoucherSlug('GET', '/l/demo', { authorization: 'Payment x' }), null)
    assert.equal(fastVoucherSlug('GET', '/l/demo', {}), null)
    assert.equal(fastVoucherSlug('POST', '/l/demo', { authorization: paying(voucher) }), null)
    assert.equal(fastVoucherSlug('GET', '/l/demo/sub', { authorization: paying(voucher) }), null)
  })

  for (const [what, path, headers] of [
    ['a 402 with challenges', '/l/demo', {}],
    ['a 402 page for a person', '/l/demo', navigation],
    ['a 404 for a missing link', '/l/no-such-link', {}],
    ['a 404 page for a person', '/l/no-such-link', navigation],
  ] as const) {
    test(`${what}: same status, body and payment headers from both paths`, async () => {
      const [fast, next] = await Promise.all([get(`${stack.url}${path}`, headers), get(`${withoutFastPath.url}${path}`, headers)])
      assert.equal(fast.status, next.status)
      assert.equal(fast.headers.get('content-type'), next.headers.get('content-type'))
      assert.equal(fast.headers.get('cache-control'), next.headers.get('cache-control'))
      assert.equal(Boolean(fast.headers.get('www-authenticate')), Boolean(next.headers.get('www-authenticate')))
      assert.equal(Boolean(fast.headers.get('payment-required')), Boolean(next.headers.get('payment-required')))
      assert.equal(fast.body, next.body)
      if ('sec-fetch-mode' in headers) assert.match(fast.headers.get('content-type')!, /^text\/html/)
      if (fast.status === 402) {
        const challenges = [fast, next].map((r) => Challenge.deserialize(r.headers.get('www-authenticate')!))
        for (const challenge of challenges) assert.ok(Binding.verify(challenge, [stack.env.MPP_SECRET_KEY!]))
        assert.deepEqual(challenges[0]!.request, challenges[1]!.request)
      }
    })
  }

  test('a challenge from the fast path is paid through Next, a replay of it is refused there, and HEAD gets headers only', async () => {
    const unpaid = await fetch(`${stack.url}/l/demo`)
    const credential = await mppCredentialFor(anvilAccount(7), unpaid)
    const paid = await fetch(`${stack.url}/l/demo`, { headers: { authorization: credential } })
    assert.equal(paid.status, 200, await paid.clone().text())
    assert.ok(paid.headers.get('payment-receipt'))
    // A replay is refused by Next's own gate with its typed problem (the fast path's gate, with error classes of
    // its own bundle, must never answer for Next: that was a 500).
    const replay = await fetch(`${stack.url}/l/demo`, { headers: { authorization: credential } })
    assert.equal(replay.status, 402)
    assert.equal(((await replay.json()) as { type: string }).type, 'https://paymentauth.org/problems/invalid-challenge')
    const head = await fetch(`${stack.url}/l/demo`, { method: 'HEAD' })
    assert.equal(head.status, 402)
    assert.ok(head.headers.get('www-authenticate'))
    assert.equal(await head.text(), '')
  })
})
