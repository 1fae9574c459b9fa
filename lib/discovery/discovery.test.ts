// The discovery document on a real database: which links are listed, and that every offer is what
// the operation's 402 challenge asks (the same rail charge request) in the draft's format.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import * as Links from '@/lib/links'
import * as Merchants from '@/lib/merchants'
import { privateKeyToAccount } from 'viem/accounts'
import * as EvmRail from '@/lib/rails/evm'
import * as SessionRail from '@/lib/rails/evm/session'
import { type DbHandle, openDb } from '@/lib/store/db'
import { payments } from '@/lib/store/schema'
import { assertDiscoveryDocument } from '@/test/gate/internal/discovery-spec'
import { linkResource } from '@/lib/gate/link-resource'
import { evmChargeMethod } from '@/lib/gate/methods/evm-charge'
import { evmSessionMethod } from '@/lib/gate/methods/evm-session'
import { createMethodRegistry } from '@/lib/gate/methods/registry'
import type { MethodRegistry } from '@/lib/gate/types'
import { discoveryDocument, offersFor, paidRoutes } from './discovery'

const merchantAddress = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const token = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'
const publicUrl = new URL('https://pay.example.com')
const inline = { kind: 'inline', contentType: 'application/json', body: '{"ok":true}' }

let handle: DbHandle
let methods: MethodRegistry

before(async () => {
  handle = await openDb({ dataDir: 'memory://' })
  // The real EVM rail's charge requests (no chain is contacted to build them).
  const rail = EvmRail.createEvmRail(
    EvmRail.createEvmConfig({
      rpcUrl: 'http://127.0.0.1:1',
      chainId: 84532,
      tokenAddress: token,
      settlerPrivateKey: `0x${'11'.repeat(32)}`,
    }),
    handle.db,
  )
  methods = createMethodRegistry([evmChargeMethod(rail)])
})
after(async () => {
  await handle?.close()
})

const document = (now?: Date) =>
  discoveryDocument({ config: { publicUrl, defaultRecipient: merchantAddress }, db: handle.db, methods, ...(now ? { now } : {}) })

test('lists each available link and each priced route, with offers equal to their charge requests', async () => {
  const merchant = await Merchants.ensureMerchant(handle.db, merchantAddress)
  const sold = await Links.createLink(handle.db, merchant.id, {
    title: 'Weather',
    description: 'Today',
    price: '0.25',
    rails: ['evm'],
    resource: inline,
  })
  const inactive = await Links.createLink(handle.db, merchant.id, {
    title: 'Off',
    price: '1',
    rails: ['evm'],
    resource: inline,
    active: false,
  })
  const expiring = await Links.createLink(handle.db, merchant.id, {
    title: 'Soon gone',
    price: '1',
    rails: ['evm'],
    resource: inline,
    expiresAt: new Date(Date.now() + 60_000),
  })
  const capped = await Links.createLink(handle.db, merchant.id, {
    title: 'One only',
    price: '1',
    rails: ['evm'],
    resource: inline,
    maxPayments: 1,
  })
  await handle.db.insert(payments).values({
    id: 'pay_1',
    settlementKey: 'k1',
    linkId: capped.id,
    merchantId: merchant.id,
    resourceKey: `link:${capped.id}`,
    protocol: 'mpp',
    method: 'evm',
    amount: '1000000',
    currency: token,
    amountUsd: '1',
    reference: '0x01',
    status: 'succeeded',
    receipt: {},
  })
  const cardOnly = await Links.createLink(handle.db, merchant.id, { title: 'Cards only', price: '1', rails: ['stripe'], resource: inline })

  const doc = await document()
  const operations = assertDiscoveryDocument(doc)
  const listed = [...operations.keys()]
  assert.ok(listed.includes(`GET /l/${sold.slug}`))
  assert.ok(listed.includes(`GET /l/${expiring.slug}`))
  for (const hidden of [inactive, capped, cardOnly]) assert.ok(!listed.includes(`GET /l/${hidden.slug}`), `${hidden.title} is not listed`)
  assert.deepEqual(operations.get(`GET /l/${sold.slug}`), [{ intent: 'charge', method: 'evm', amount: '250000', currency: token }])
  assert.deepEqual(operations.get(`GET /l/${sold.slug}`), offersFor(methods, linkResource(sold, publicUrl)))

  // Routes sold by the unit need the session method, which this registry does not have (see the next test).
  for (const route of paidRoutes.filter((r) => typeof r.price === 'string' || !r.price.session))
    assert.ok(listed.includes(`${route.method.toUpperCase()} ${route.path}`), `${route.path} is listed`)
  assert.ok(!listed.includes('GET /api/examples/stream'), 'a session-only route is not advertised without sessions')
  assert.deepEqual(operations.get('POST /api/examples/summarize'), [{ intent: 'charge', method: 'evm', amount: '20000', currency: token }])
  const summarize = (doc.paths as Record<string, Record<string, { requestBody?: unknown }>>)['/api/examples/summarize']!.post!
  assert.ok(summarize.requestBody, 'a POST operation publishes its input schema')

  // Later, the expiring link has expired and is no longer listed.
  const later = assertDiscoveryDocument(await document(new Date(Date.now() + 120_000)))
  assert.ok(!later.has(`GET /l/${expiring.slug}`))
  assert.ok(later.has(`GET /l/${sold.slug}`))
})

test('session offers: the per-unit amount, intent "session" and the unit type, for resources paying the settlement account', async () => {
  const settler = privateKeyToAccount(`0x${'11'.repeat(32)}`).address
  const escrow = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
  const evm = EvmRail.createEvmRail(
    EvmRail.createEvmConfig({
      rpcUrl: 'http://127.0.0.1:1',
      chainId: 84532,
      tokenAddress: token,
      escrowAddress: escrow,
      settlerPrivateKey: `0x${'11'.repeat(32)}`,
    }),
    handle.db,
  )
  const sessions = SessionRail.createSessionRail({ evmRail: evm, db: handle.db, settings: SessionRail.sessionDefaults })
  const withSessions = createMethodRegistry([evmChargeMethod(evm), evmSessionMethod(sessions)])
  const merchant = await Merchants.ensureMerchant(handle.db, settler)
  const perRequest = await Links.createLink(
    handle.db,
    merchant.id,
    {
      title: 'Per request',
      price: '0.001',
      rails: [],
      session: { unitType: 'request', suggestedDeposit: '0.10' },
      recipient: settler,
      resource: inline,
    },
    { sessionPayee: settler },
  )
  const doc = await discoveryDocument({ config: { publicUrl, defaultRecipient: settler }, db: handle.db, methods: withSessions })
  const operations = assertDiscoveryDocument(doc)
  const session = (unitType: string, amount: string) => ({
    intent: 'session',
    method: 'evm',
    amount,
    currency: token,
    description: `per unitType=${unitType}, paid by vouchers on a payment channel`,
  })
  assert.deepEqual(operations.get(`GET /l/${perRequest.slug}`), [session('request', '1000')])
  assert.deepEqual(operations.get('GET /api/examples/stream'), [session('llm_token', '100')])
  assert.deepEqual(operations.get('GET /api/examples/joke'), [{ intent: 'charge', method: 'evm', amount: '10000', currency: token }])

  // Another recipient cannot be paid by a session (the escrow lets only the payee settle): not advertised.
  const elsewhere = await discoveryDocument({
    config: { publicUrl, defaultRecipient: merchantAddress },
    db: handle.db,
    methods: withSessions,
  })
  assert.equal(assertDiscoveryDocument(elsewhere).has('GET /api/examples/stream'), false)
})

test('without a recipient for withPayment routes or any rail, nothing unpayable is advertised', async () => {
  const doc = await discoveryDocument({ config: { publicUrl, defaultRecipient: null }, db: handle.db, methods: createMethodRegistry([]) })
  assert.deepEqual(doc.paths, {})
  assert.deepEqual(assertDiscoveryDocument({ ...doc, paths: { '/': { get: { responses: { '200': { description: 'ok' } } } } } }).size, 0)
})
