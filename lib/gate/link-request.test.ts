// The unpaid 402 of a link comes from a per-process cache (link row, prepared offers): every challenge
// must still be fresh and exactly what the unprepared path builds, and edits must reach buyers within the TTL.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import * as Links from '@/lib/links'
import * as Merchants from '@/lib/merchants'
import * as Binding from '@/lib/protocol/Binding'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Problem from '@/lib/protocol/Problem'
import * as PaymentRequired from '@/lib/protocol/x402/PaymentRequired'
import type { GateRuntime } from './runtime'

const merchantAddress = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-link-request-'))
Object.assign(process.env, {
  DATA_DIR: dataDir,
  PUBLIC_URL: 'http://127.0.0.1:3999',
  MPP_SECRET_KEY: randomBytes(32).toString('base64url'),
  // A 402 never reaches the chain; the rail only has to exist to price the offers.
  EVM_RPC_URL: 'http://127.0.0.1:9',
  EVM_CHAIN_ID: '31337',
  EVM_TOKEN_ADDRESS: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  EVM_TOKEN_NAME: 'USD Coin',
  EVM_TOKEN_VERSION: '2',
  EVM_TOKEN_DECIMALS: '6',
  SETTLER_PRIVATE_KEY: `0x${'11'.repeat(32)}`,
  PAYMENT_RECIPIENT: merchantAddress,
  RATE_LIMIT_CHALLENGES_PER_MINUTE: '1000000',
})

// The link cache's TTL (link-cache.ts), plus a margin.
const afterTtl = () => new Promise((resolve) => setTimeout(resolve, 2_100))

describe('GET /l/{slug} from the per-process cache', () => {
  let gate: GateRuntime
  let handleLinkRequest: (request: Request, slug: string) => Promise<Response>
  let linkResource: typeof import('./link-resource').linkResource
  let merchantId: string

  before(async () => {
    ;({ handleLinkRequest } = await import('./link-request'))
    ;({ linkResource } = await import('./link-resource'))
    gate = await (await import('./runtime')).getGate()
    merchantId = (await Merchants.ensureMerchant(gate.db, merchantAddress)).id
  })
  after(() => rmSync(dataDir, { recursive: true, force: true }))

  const createLink = (slug: string, price = '0.01') =>
    Links.createLink(gate.db, merchantId, {
      slug,
      title: 'Fortune',
      description: 'A JSON fortune',
      price,
      rails: ['evm'],
      resource: { kind: 'inline', contentType: 'application/json', body: '{"ok":true}' },
    })
  const unpaid = (slug: string) =>
    handleLinkRequest(new Request(`http://127.0.0.1:3999/l/${slug}`, { headers: { accept: 'application/json' } }), slug)
  // Carries a (garbage) credential, so the link is read fresh, as for every request with money in it.
  const paying = (slug: string) =>
    handleLinkRequest(
      new Request(`http://127.0.0.1:3999/l/${slug}`, { headers: { accept: 'application/json', authorization: 'Payment e30' } }),
      slug,
    )

  test('every 402 carries a fresh challenge, byte for byte what Challenge.create and the x402 encoder build', async () => {
    const link = await createLink('fresh-each-time')
    const resource = linkResource(link, gate.config.publicUrl)
    const ids = new Set<string>()
    const nonces = new Set<string>()
    for (let i = 0; i < 40; i++) {
      const before = Date.now()
      const response = await unpaid(link.slug)
      assert.equal(response.status, 402)
      const header = response.headers.get('www-authenticate')!
      const challenge = Challenge.deserialize(header)
      ids.add(challenge.id)
      nonces.add(challenge.opaque!.nonce!)
      assert.ok(Binding.verify(challenge, gate.config.secrets))
      assert.equal(challenge.opaque!.resource, `link:${link.id}`)
      const expiresAt = Date.parse(challenge.expires!)
      assert.ok(
        expiresAt >= before + gate.config.challengeTtlSeconds * 1000 && expiresAt <= Date.now() + gate.config.challengeTtlSeconds * 1000,
      )
      const reference = Challenge.create({ ...challenge, secret: gate.config.secrets[0]! })
      assert.equal(header, Challenge.serialize(reference))
      assert.deepEqual(challenge.request, gate.methods.all[0]!.request(resource))
      assert.equal(
        response.headers.get('payment-required'),
        PaymentRequired.encode(
          PaymentRequired.from({
            resource: { url: resource.url, description: 'A JSON fortune', mimeType: 'application/json' },
            accepts: [gate.methods.x402!.requirements(resource)!],
          }),
        ),
      )
      assert.equal(
        await response.text(),
        JSON.stringify(Problem.toJSON(new Problem.PaymentRequiredError('Payment is required: Fortune costs $0.01.'))),
      )
      assert.equal(response.headers.get('cache-control'), 'no-store')
    }
    assert.equal(ids.size, 40)
    assert.equal(nonces.size, 40)
  })

  test('a deactivated link stops selling: at once to a request with a credential, within the TTL to everyone', async () => {
    const link = await createLink('switched-off')
    assert.equal((await unpaid(link.slug)).status, 402)
    await Links.setLinkActive(gate.db, merchantId, link.id, false)
    assert.equal((await paying(link.slug)).status, 410)
    await afterTtl()
    assert.equal((await unpaid(link.slug)).status, 410)
  })

  test('a new price reaches the challenge, the x402 offer and the problem within the TTL', async () => {
    const link = await createLink('repriced')
    const amountOf = (response: Response) => Challenge.deserialize(response.headers.get('www-authenticate')!).request.amount
    assert.equal(amountOf(await unpaid(link.slug)), '10000')
    await Links.updateLink(gate.db, merchantId, link.id, { price: '0.25' })
    await afterTtl()
    const response = await unpaid(link.slug)
    assert.equal(amountOf(response), '250000')
    assert.equal(PaymentRequired.decode(response.headers.get('payment-required')!).accepts[0]!.amount, '250000')
    assert.match(await response.text(), /costs \$0\.25\./)
  })
})
