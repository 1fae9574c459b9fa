// Sessions with two app instances on one PostgreSQL: the channel's books are one row, changed by one
// conditional statement, so what holds in one process holds across both — twenty concurrent copies of one
// voucher spread over the instances serve one request, a stream paused on one instance resumes on a voucher
// the other accepted, and an instance killed between charging and delivering loses nothing.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { createSessionClient } from '@/lib/client/session'
import type * as Sse from '@/lib/protocol/Sse'
import { anvilAccount, anvilPrivateKey } from '@/scripts/chain/deploy'
import { type Client, jsonInit, signIn } from '@/test/dashboard/support'
import { createDatabase, postgresInstalled, startPostgres, type PostgresServer } from '@/test/support/postgres'
import { type Stack, startStack } from '@/test/support/stack'
import { assertProblem } from './internal/problems'
import { dashboardChannel, sendCredential, sessionOffer } from './internal/sessions'

const skip = postgresInstalled() ? false : 'PostgreSQL is not installed (apt-get install postgresql)'
if (skip) console.warn(`\n!!! session scale-out suite SKIPPED — ${skip} !!!\n`)

const price = 1_000n
const answer = 'One request, paid by a voucher on your channel.'

describe('sessions: two instances on one PostgreSQL', { skip }, () => {
  let server: PostgresServer | null = null
  let stack: Stack
  let instances: string[] = []
  let merchant: Client

  before(async () => {
    server = await startPostgres()
    if (!server) throw new Error('PostgreSQL is installed but did not start')
    stack = await startStack({ databaseUrl: await createDatabase(server, `sessions_${randomBytes(6).toString('hex')}`) })
    const second = await stack.addInstance()
    instances = [stack.url, second.url]
    // The second instance keeps the dashboard: the first one is killed below.
    merchant = await signIn(instances[1]!, anvilPrivateKey(0))
  })
  after(async () => {
    await stack?.stop()
    await server?.stop()
  })

  test('twenty concurrent copies of one voucher covering one unit, spread over both instances: exactly one is served', async () => {
    const payer = anvilAccount(1)
    const session = createSessionClient({ account: payer, rpcUrl: stack.chain.rpcUrl })
    assert.equal((await session.fetch(`${instances[0]}/l/demo-session`)).status, 200)
    const channel = session.channels()[0]!
    const offer = await sessionOffer(`${instances[1]}/l/demo-session`)
    const payload = await session.voucher(channel, 2n * price)
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sendCredential(`${instances[i % 2]}/l/demo-session`, offer, payload, { idempotencyKey: `across-${i}` }),
      ),
    )
    const served = responses.filter((r) => r.status === 200)
    assert.equal(served.length, 1, `statuses: ${responses.map((r) => r.status).join(',')}`)
    for (const response of responses.filter((r) => r.status !== 200))
      await assertProblem(response, { status: 402, code: 'session/insufficient-balance', secret: stack.env.MPP_SECRET_KEY! })
    assert.equal((await served[0]!.json()).answer, answer)
    assert.equal((await dashboardChannel(merchant, channel.channelId))?.spent, String(2n * price))
  })

  test('a stream paused on one instance resumes on the voucher the other instance accepted', async () => {
    const [a, b] = instances as [string, string]
    const heads: string[] = []
    // The stream is read from instance A; every HEAD voucher goes to instance B.
    const crossing: typeof fetch = (input, init) => {
      const request = new Request(input, init)
      if (request.method !== 'HEAD') return fetch(input, init)
      heads.push(b)
      return fetch(request.url.replace(a, b), init)
    }
    const session = createSessionClient({ account: anvilAccount(2), rpcUrl: stack.chain.rpcUrl, fetch: crossing })
    const events: Sse.Event[] = []
    for await (const event of session.stream(`${a}/api/examples/stream?tokens=30`)) events.push(event)
    assert.equal(events.filter((e) => e.event === 'message').length, 30)
    assert.ok(heads.length >= 2, `vouchers went to the other instance (${heads.length})`)
    assert.equal(events.at(-1)!.event, 'payment-receipt')
  })

  test('kill -9 of an instance between charging and delivering: the other instance serves the retry from the first charge', async () => {
    let hold = false
    const held: ServerResponse[] = []
    let arrived: () => void = () => {}
    const upstream = createServer((_request, response) => {
      if (hold) {
        held.push(response)
        arrived()
        return
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ slow: 'answered' }))
    })
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
    try {
      const created = await merchant.request(
        '/api/dashboard/links',
        jsonInit('POST', {
          title: 'Slow, per request',
          price: '0.001',
          rails: [],
          session: { unitType: 'request' },
          recipient: stack.merchant,
          resource: { kind: 'proxy', url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/slow` },
        }),
      )
      assert.equal(created.status, 201, await created.clone().text())
      const slug = ((await created.json()) as { link: { slug: string } }).link.slug
      const [a, b] = instances.map((origin) => `${origin}/l/${slug}`) as [string, string]

      const payer = anvilAccount(3)
      const session = createSessionClient({ account: payer, rpcUrl: stack.chain.rpcUrl })
      assert.equal((await session.fetch(a)).status, 200)
      const channel = session.channels()[0]!
      const offer = await sessionOffer(a)
      const payload = await session.voucher(channel, 2n * price)

      hold = true
      const reached = new Promise<void>((resolve) => (arrived = resolve))
      const lost = sendCredential(a, offer, payload, { idempotencyKey: 'died-on-a' }).catch((error: unknown) => error)
      await reached
      await stack.apps[0]!.stop('SIGKILL')
      assert.ok((await lost) instanceof Error, 'the client lost its connection')
      assert.equal((await dashboardChannel(merchant, channel.channelId))?.spent, String(2n * price), 'the charge is on the books')

      hold = false
      const retried = await sendCredential(b, offer, payload, { idempotencyKey: 'died-on-a' })
      assert.equal(retried.status, 200)
      assert.deepEqual(await retried.json(), { slow: 'answered' })
      assert.equal((await dashboardChannel(merchant, channel.channelId))?.spent, String(2n * price), 'the retry was not charged again')
    } finally {
      for (const response of held) response.destroy()
      await new Promise((resolve) => upstream.close(resolve))
    }
  })
})
