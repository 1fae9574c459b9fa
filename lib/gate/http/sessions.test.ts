// A method that keeps its own ledger (evm/session) through the HTTP transport, in process with a fake method:
// what the method is told (units, Idempotency-Key), what the payer gets (the receipt on every answer, the
// receipt alone for a HEAD, the session problem statuses without challenges except 402), and that vouchers
// are rate-limited apart from other credentials.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Credential from '@/lib/protocol/Credential'
import * as Intent from '@/lib/protocol/Intent'
import * as Problem from '@/lib/protocol/Problem'
import * as Receipt from '@/lib/protocol/Receipt'
import { type DbHandle, openDb } from '@/lib/store/db'
import type { GateConfig } from '../config'
import { createGate } from '../create-gate'
import { createMethodRegistry } from '../methods/registry'
import { fakeChargeMethod, merchant, resourceFor } from '../testing/fake-gate'
import { type Gate, type PaymentMethod, type PricedResource, type SettleInput, methodKey } from '../types'
import { handlePayment } from './handle-payment'

const url = 'https://pay.example.com/api/per-request'
const receiptOf = (units: number) => ({
  status: 'success' as const,
  method: 'evm',
  intent: 'session',
  timestamp: '2026-12-04T12:00:00.000Z',
  reference: `0x${'ab'.repeat(32)}`,
  units,
})

/** A session method that accepts `pay` payloads into its "ledger" and refuses the others with their problem. */
function fakeSessionMethod(seen: SettleInput[]): PaymentMethod {
  return {
    method: 'evm',
    intent: Intent.session,
    currency: '0x00000000000000000000000000000000000000aa',
    request: (resource) =>
      resource.session ? { amount: '1000', unitType: resource.session.unitType, recipient: resource.recipient } : null,
    settle: async (input) => {
      seen.push(input)
      const outcome = (input.payload as { outcome?: string }).outcome
      if (outcome === 'finalized') throw new Problem.ChannelFinalizedError('channel 0xab is closed')
      if (outcome === 'malformed') throw new Problem.MalformedSessionPayloadError('cumulativeAmount is missing')
      if (outcome === 'short') throw new Problem.InsufficientBalanceError('the vouchers do not cover this request')
      const units = input.units ?? input.resource.session?.unitsPerRequest ?? 1
      return { kind: 'accepted', receipt: receiptOf(units), serves: units === 0 ? 'receipt' : 'resource', context: { units } }
    },
  }
}

describe('a session-paid resource over HTTP', () => {
  let handle: DbHandle
  let gate: Gate
  const seen: SettleInput[] = []
  const resource: PricedResource = resourceFor({
    key: 'route:GET /api/per-request',
    url,
    priceUsd: '0.001',
    offers: [methodKey('evm', Intent.session)],
    session: { unitType: 'request' },
  })
  const deliver = () => Response.json({ served: true })

  before(async () => {
    handle = await openDb({ dataDir: 'memory://' })
    gate = gateWith(handle, { rateLimit: { challengesPerMinute: 1000, credentialsPerMinute: 1, vouchersPerMinute: 1000 } }, seen)
  })
  after(async () => {
    await handle?.close()
  })

  async function challenge(): Promise<Challenge.Challenge> {
    const response = await handlePayment(gate, new Request(url), resource, deliver)
    assert.equal(response.status, 402)
    const [offer] = Challenge.deserializeList(response.headers.get('www-authenticate')!)
    assert.equal(offer?.intent, 'session')
    return offer!
  }

  async function pay(payload: Record<string, unknown>, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    headers.set('authorization', Credential.serialize({ challenge: await challenge(), payload }))
    return handlePayment(gate, new Request(url, { ...init, headers }), resource, deliver)
  }

  test('the 402 offers evm/session with no x402 offer', async () => {
    const response = await handlePayment(gate, new Request(url), resource, deliver)
    assert.equal(response.headers.get('payment-required'), null)
    assert.deepEqual(Challenge.deserializeList(response.headers.get('www-authenticate')!)[0]!.request, {
      amount: '1000',
      unitType: 'request',
      recipient: merchant,
    })
  })

  test('a voucher: the resource with its receipt, privately cached, no grant and no receipt page; the method hears the Idempotency-Key', async () => {
    const response = await pay({ outcome: 'pay' }, { headers: { 'idempotency-key': 'k-1' } })
    assert.equal(response.status, 200)
    assert.deepEqual(await response.json(), { served: true })
    assert.deepEqual(Receipt.deserialize(response.headers.get('payment-receipt')!), receiptOf(1))
    assert.equal(response.headers.get('cache-control'), 'private')
    assert.equal(response.headers.get('set-cookie'), null)
    assert.equal(response.headers.get('link'), null)
    assert.equal(seen.at(-1)!.idempotencyKey, 'k-1')
    assert.equal(seen.at(-1)!.units, undefined, 'a GET consumes what the resource says')
  })

  test('a HEAD voucher consumes nothing and is answered 200 with the receipt alone', async () => {
    let delivered = false
    const headers = new Headers({ authorization: Credential.serialize({ challenge: await challenge(), payload: { outcome: 'pay' } }) })
    const response = await handlePayment(gate, new Request(url, { method: 'HEAD', headers }), resource, () => {
      delivered = true
      return deliver()
    })
    assert.equal(response.status, 200)
    assert.equal(delivered, false, 'the resource is not produced for a HEAD voucher')
    assert.equal(seen.at(-1)!.units, 0)
    assert.deepEqual(Receipt.deserialize(response.headers.get('payment-receipt')!), receiptOf(0))
  })

  test('session problems keep their statuses: 410 and 400 carry no challenge, 402 a fresh one', async () => {
    const gone = await pay({ outcome: 'finalized' })
    assert.equal(gone.status, 410)
    assert.equal(gone.headers.get('www-authenticate'), null)
    assert.equal(((await gone.json()) as { type: string }).type, `${Problem.baseUri}session/channel-finalized`)
    const malformed = await pay({ outcome: 'malformed' })
    assert.equal(malformed.status, 400)
    assert.equal(malformed.headers.get('www-authenticate'), null)
    const short = await pay({ outcome: 'short' })
    assert.equal(short.status, 402)
    assert.equal(Challenge.deserializeList(short.headers.get('www-authenticate')!)[0]!.intent, 'session')
    assert.equal(((await short.json()) as { type: string }).type, `${Problem.baseUri}session/insufficient-balance`)
  })

  test('vouchers are counted apart from other credentials (credentials here: 1 a minute)', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await pay({ outcome: 'pay' })).status, 200)
  })
})

test('vouchers have a limit of their own: over it, 429 with Retry-After', async () => {
  const handle = await openDb({ dataDir: 'memory://' })
  try {
    const gate = gateWith(handle, { rateLimit: { challengesPerMinute: 1000, credentialsPerMinute: 1000, vouchersPerMinute: 2 } }, [])
    const resource = resourceFor({
      key: 'route:GET /api/per-request',
      url,
      offers: [methodKey('evm', Intent.session)],
      session: { unitType: 'request' },
    })
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) {
      const offer = Challenge.deserializeList(
        (await handlePayment(gate, new Request(url), resource, () => new Response('x'))).headers.get('www-authenticate')!,
      )[0]!
      const headers = { authorization: Credential.serialize({ challenge: offer, payload: { outcome: 'pay' } }) }
      const response = await handlePayment(gate, new Request(url, { headers }), resource, () => new Response('x'))
      statuses.push(response.status)
      if (response.status === 429) assert.ok(Number(response.headers.get('retry-after')) > 0)
    }
    assert.deepEqual(statuses, [200, 200, 429])
  } finally {
    await handle.close()
  }
})

function gateWith(handle: DbHandle, overrides: Partial<GateConfig>, seen: SettleInput[]): Gate {
  const publicUrl = new URL('https://pay.example.com')
  const config: GateConfig = {
    publicUrl,
    realm: publicUrl.host,
    secrets: [randomBytes(32).toString('base64url')],
    challengeTtlSeconds: 300,
    defaultRecipient: merchant,
    rateLimit: { challengesPerMinute: 1000, credentialsPerMinute: 1000 },
    settlementsPerMerchantPerMinute: 600,
    cardHolds: { perClient: 3, unconfirmedSeconds: 180 },
    ...overrides,
  }
  return createGate({ config, db: handle.db, methods: createMethodRegistry([fakeChargeMethod(handle.db), fakeSessionMethod(seen)]) })
}
