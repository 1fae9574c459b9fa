// Service links (the paid API gateway) in the links domain, on PGlite and PostgreSQL: validation with
// messages a merchant can act on, the upstream address policy at save, the write-only secret header
// (sealed in its own table, bound to the link, never in the link row), and the update semantics.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { sql } from 'drizzle-orm'
import { priceRequest } from '@/lib/gateway/price-rules'
import { UpstreamSecretError, UpstreamSecretKeys } from '@/lib/gateway/upstream-secret'
import { ensureMerchant } from '@/lib/merchants/ensure-merchant'
import type { OutboundPolicy } from '@/lib/outbound'
import type { DbHandle } from '@/lib/store/db'
import * as UpstreamSecrets from '@/lib/store/upstream-secrets'
import { describeEachDatabase } from '@/test/support/databases'
import { createLink } from './create-link'
import { deleteLink } from './delete-link'
import { InvalidInputError, SlugTakenError } from './errors'
import { getLink } from './get-link'
import { listLinks } from './list-links'
import { serviceAccessMessage } from './schema'
import { isServiceLink, serviceSecretHeaders, servicePriceTable, type ServiceLink } from './service-link'
import { updateLink } from './update-link'

const merchantAddress = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'
const otherAddress = '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65'
const apiKey = 'sk-live-0123456789abcdefghijWXYZ'
const keys = UpstreamSecretKeys.fromServerSecrets('s'.repeat(48))
const outbound: OutboundPolicy = {
  allowPrivate: false,
  resolve: async (hostname) => (hostname === 'internal.merchant.example' ? ['10.0.0.7'] : ['93.184.216.34']),
}
const options = { outbound, upstreamSecretKeys: keys }

const service = (extra: Record<string, unknown> = {}) => ({
  kind: 'service',
  upstreamUrl: 'https://api.merchant.example/v1',
  pricing: {
    rules: [
      { method: 'POST', path: '/chat/completions', price: '0.02', settle: 'after-success' },
      { method: 'GET', path: '/models', price: 'free' },
    ],
  },
  secretHeader: { name: 'Authorization', value: `Bearer ${apiKey}` },
  ...extra,
})
const input = (resource: Record<string, unknown> = service(), extra: Record<string, unknown> = {}) => ({
  title: 'Chat API',
  price: '0.001',
  rails: ['evm'],
  resource,
  ...extra,
})

function invalid(check: (error: InvalidInputError) => void) {
  return (error: unknown) => {
    assert.ok(error instanceof InvalidInputError, `expected InvalidInputError, got ${String(error)}`)
    check(error)
    return true
  }
}

describeEachDatabase('service links', (factory) => {
  let handle: DbHandle
  let merchant: string
  let other: string
  before(async () => {
    handle = await factory.open()
    merchant = (await ensureMerchant(handle.db, merchantAddress)).id
    other = (await ensureMerchant(handle.db, otherAddress)).id
  })
  after(async () => {
    await handle?.close()
  })

  const secretRows = async () =>
    Number(
      ((await handle.db.execute(sql`SELECT count(*)::int AS n FROM link_upstream_secrets`)) as unknown as { rows: Array<{ n: number }> })
        .rows[0]!.n,
    )

  test('a service link is stored with canonical pricing and defaults; the key only sealed, in its own table', async () => {
    const link = await createLink(
      handle.db,
      merchant,
      input(service({ forwardHeaders: ['Anthropic-Version', 'anthropic-version'] })),
      options,
    )
    assert.ok(isServiceLink(link))
    assert.deepEqual(link.resource, {
      kind: 'service',
      upstreamUrl: 'https://api.merchant.example/v1',
      pricing: {
        rules: [
          { method: 'POST', path: '/chat/completions', price: '0.02', settle: 'after-success' },
          { method: 'GET', path: '/models', price: 'free' },
        ],
        jsonRpc: null,
        settle: 'before',
      },
      timeoutSeconds: 30,
      forwardHeaders: ['anthropic-version'],
      secretHeader: { name: 'Authorization', hint: '••••WXYZ' },
    })
    assert.equal(link.priceUsd, '0.001')
    // Nowhere a reader of links could see it: the row, the listing.
    assert.ok(!JSON.stringify(link).includes('sk-live'))
    assert.ok(!JSON.stringify(await listLinks(handle.db, merchant)).includes('sk-live'))
    const sealed = await UpstreamSecrets.getSealed(handle.db, link.id)
    assert.match(sealed!, /^v1\./)
    assert.ok(!sealed!.includes('sk-live'))
    assert.deepEqual(await serviceSecretHeaders(handle.db, link, keys), { Authorization: `Bearer ${apiKey}` })
  })

  test("the gateway's price table: the link's rules, and its price for everything else", async () => {
    const link = (await createLink(handle.db, merchant, input(), options)) as ServiceLink
    const table = servicePriceTable(link)
    assert.deepEqual(priceRequest(table, { method: 'POST', path: '/chat/completions' }), {
      kind: 'priced',
      priceUsd: '0.02',
      settle: 'after-success',
      label: 'POST /chat/completions',
    })
    assert.deepEqual(priceRequest(table, { method: 'GET', path: '/models' }), { kind: 'free' })
    assert.equal((priceRequest(table, { method: 'GET', path: '/other' }) as { priceUsd: string }).priceUsd, '0.001')
    await updateLink(handle.db, merchant, link.id, { price: '0.005' }, options)
    const updated = (await getLink(handle.db, merchant, link.id)) as ServiceLink
    assert.equal((priceRequest(servicePriceTable(updated), { method: 'GET', path: '/other' }) as { priceUsd: string }).priceUsd, '0.005')
  })

  test('a non-public upstream is refused at create and update on resource.upstreamUrl, unless the operator allows it', async () => {
    for (const [upstreamUrl, reason] of [
      ['http://127.0.0.1:8080/api', /127\.0\.0\.1 is a loopback address/],
      ['http://169.254.169.254/latest', /link-local/],
      ['https://internal.merchant.example/', /resolves to 10\.0\.0\.7, a private address/],
    ] as const)
      await assert.rejects(
        createLink(handle.db, merchant, input(service({ upstreamUrl })), options),
        invalid((e) => {
          assert.equal(e.issues[0]?.path, 'resource.upstreamUrl')
          assert.match(e.message, reason)
        }),
      )
    const link = await createLink(handle.db, merchant, input(), options)
    await assert.rejects(
      updateLink(handle.db, merchant, link.id, { resource: service({ upstreamUrl: 'http://10.1.2.3/' }) }, options),
      invalid((e) => assert.equal(e.issues[0]?.path, 'resource.upstreamUrl')),
    )
    const allowed = await createLink(handle.db, merchant, input(service({ upstreamUrl: 'http://127.0.0.1:8080/api' })), {
      ...options,
      outbound: { ...outbound, allowPrivate: true },
    })
    assert.equal((allowed as ServiceLink).resource.upstreamUrl, 'http://127.0.0.1:8080/api')
  })

  test('bad pricing, headers and limits are 400s naming the field and what to change', async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [
        service({ pricing: { rules: [{ method: 'POST', path: '/x', price: 0.02 }] } }),
        'resource.pricing.rules.0.price',
        /rule 1 \(POST \/x\): price must be a string such as "0.02"/,
      ],
      [
        service({ pricing: { rules: [{ method: 'GET', path: '/x/', price: '1' }] } }),
        'resource.pricing.rules.0.path',
        /remove the trailing "\/"/,
      ],
      [service({ secretHeader: { name: 'Host', value: 'x' } }), 'resource.secretHeader.name', /Host frames or routes the request/],
      [service({ secretHeader: { name: 'X-Api-Key', value: 'a\r\nb' } }), 'resource.secretHeader.value', /one line of printable ASCII/],
      [service({ secretHeader: { name: 'X-Api-Key' } }), 'resource.secretHeader.value', /enter the secret value: none is stored/],
      [service({ forwardHeaders: ['Cookie'] }), 'resource.forwardHeaders.0', /Cookie is never forwarded/],
      [service({ timeoutSeconds: 301 }), 'resource.timeoutSeconds', /at most 300/],
      [service({ upstreamUrl: 'ftp://api.merchant.example/' }), 'resource.upstreamUrl', /http or https/],
      [service({ upstreamUrl: 'https://user:pw@api.merchant.example/' }), 'resource.upstreamUrl', /user name or password/],
      [service({ extra: 1 }), 'resource', /extra/],
    ]
    for (const [resource, path, message] of cases)
      await assert.rejects(
        createLink(handle.db, merchant, input(resource), options),
        invalid((e) => {
          const issue = e.issues.find((i) => i.path === path)
          assert.ok(issue, `no issue at ${path}: ${JSON.stringify(e.issues)}`)
          assert.match(issue.message, message)
        }),
        path,
      )
  })

  test('a service link sells each call: a window of access is refused on create and on an update that sets it, with a message', async () => {
    const windowPolicy = { accessPolicy: { kind: 'window', minutes: 60 } }
    await assert.rejects(
      createLink(handle.db, merchant, input(service(), windowPolicy), options),
      invalid((e) => assert.deepEqual(e.issues, [{ path: 'accessPolicy', message: serviceAccessMessage }])),
    )
    const link = await createLink(handle.db, merchant, input(service(), { slug: 'svc-access' }), options)
    assert.deepEqual(link.accessPolicy, { kind: 'once' })
    await assert.rejects(
      updateLink(handle.db, merchant, link.id, windowPolicy, options),
      invalid((e) => assert.deepEqual(e.issues, [{ path: 'accessPolicy', message: serviceAccessMessage }])),
    )
    // An older service link saved with a window stays editable; turning it into another kind may keep the window.
    await handle.db.execute(sql`UPDATE links SET access_policy = ${JSON.stringify(windowPolicy.accessPolicy)}::jsonb WHERE id = ${link.id}`)
    assert.equal((await updateLink(handle.db, merchant, link.id, { title: 'Renamed' }, options)).title, 'Renamed')
    const inline = await updateLink(
      handle.db,
      merchant,
      link.id,
      { resource: { kind: 'inline', contentType: 'text/plain', body: 'x' } },
      options,
    )
    assert.deepEqual(inline.accessPolicy, windowPolicy.accessPolicy)
  })

  test('with card payments on, every rule and JSON-RPC price must be whole cents', async () => {
    const resource = service({
      pricing: { rules: [{ method: 'GET', path: '/a', price: '0.0001' }], jsonRpc: { methods: { eth_call: '0.0005', ok: '0.01' } } },
    })
    await assert.rejects(
      createLink(handle.db, merchant, input(resource, { rails: ['evm', 'stripe'], price: '0.01' }), options),
      invalid((e) => {
        assert.deepEqual(
          e.issues.map((i) => i.path),
          ['resource.pricing.rules.0.price', 'resource.pricing.jsonRpc.methods.eth_call'],
        )
        assert.match(e.issues[0]!.message, /rule 1 \(GET \/a\): card payments \(stripe\) need prices in whole cents, not \$0.0001/)
      }),
    )
    const link = await createLink(handle.db, merchant, input(resource, { rails: ['evm'], price: '0.01' }), options)
    await assert.rejects(
      updateLink(handle.db, merchant, link.id, { rails: ['evm', 'stripe'] }, options),
      invalid((e) => assert.equal(e.issues[0]?.path, 'resource.pricing.rules.0.price')),
    )
  })

  test('the secret is write-only: kept when absent, renamed without a value, replaced with one, removed by null', async () => {
    const link = await createLink(handle.db, merchant, input(), options)
    const headers = async () => serviceSecretHeaders(handle.db, (await getLink(handle.db, merchant, link.id)) as ServiceLink, keys)
    // Editing the rules (the resource without secretHeader) keeps the key.
    const edited = await updateLink(
      handle.db,
      merchant,
      link.id,
      { resource: service({ secretHeader: undefined, timeoutSeconds: 60 }) },
      options,
    )
    assert.deepEqual((edited as ServiceLink).resource.secretHeader, { name: 'Authorization', hint: '••••WXYZ' })
    assert.equal((edited as ServiceLink).resource.timeoutSeconds, 60)
    assert.deepEqual(await headers(), { Authorization: `Bearer ${apiKey}` })
    await updateLink(handle.db, merchant, link.id, { resource: service({ secretHeader: { name: 'X-Api-Key' } }) }, options)
    assert.deepEqual(await headers(), { 'X-Api-Key': `Bearer ${apiKey}` })
    const replaced = await updateLink(
      handle.db,
      merchant,
      link.id,
      { resource: service({ secretHeader: { name: 'X-Api-Key', value: 'short' } }) },
      options,
    )
    assert.deepEqual((replaced as ServiceLink).resource.secretHeader, { name: 'X-Api-Key', hint: '••••' })
    assert.deepEqual(await headers(), { 'X-Api-Key': 'short' })
    const removed = await updateLink(handle.db, merchant, link.id, { resource: service({ secretHeader: null }) }, options)
    assert.equal((removed as ServiceLink).resource.secretHeader, null)
    assert.equal(await UpstreamSecrets.getSealed(handle.db, link.id), null)
    assert.deepEqual(await headers(), {})
    // Once removed, a name alone has nothing to keep.
    await assert.rejects(
      updateLink(handle.db, merchant, link.id, { resource: service({ secretHeader: { name: 'X-Api-Key' } }) }, options),
      invalid((e) => assert.equal(e.issues[0]?.path, 'resource.secretHeader.value')),
    )
  })

  test('turning a service link into another kind, or deleting it, drops its sealed key', async () => {
    const link = await createLink(handle.db, merchant, input(), options)
    await updateLink(handle.db, merchant, link.id, { resource: { kind: 'proxy', url: 'https://api.merchant.example/v1' } }, options)
    assert.equal(await UpstreamSecrets.getSealed(handle.db, link.id), null)
    const doomed = await createLink(handle.db, merchant, input(), options)
    assert.ok(await UpstreamSecrets.getSealed(handle.db, doomed.id))
    await deleteLink(handle.db, merchant, doomed.id)
    assert.equal(await UpstreamSecrets.getSealed(handle.db, doomed.id), null)
  })

  test('a create that loses its slug stores no key', async () => {
    await createLink(handle.db, other, input(service(), { slug: 'taken-by-other' }), options)
    const before = await secretRows()
    await assert.rejects(createLink(handle.db, merchant, input(service(), { slug: 'taken-by-other' }), options), SlugTakenError)
    assert.equal(await secretRows(), before)
  })

  test('a key sealed for one link does not open for another, nor under another server secret', async () => {
    const a = (await createLink(handle.db, merchant, input(), options)) as ServiceLink
    const b = (await createLink(handle.db, merchant, input(), options)) as ServiceLink
    await UpstreamSecrets.put(handle.db, b.id, (await UpstreamSecrets.getSealed(handle.db, a.id))!)
    await assert.rejects(
      serviceSecretHeaders(handle.db, b, keys),
      (e: unknown) => e instanceof UpstreamSecretError && e.reason === 'undecryptable',
    )
    await assert.rejects(
      serviceSecretHeaders(handle.db, a, UpstreamSecretKeys.fromServerSecrets('t'.repeat(48))),
      (e: unknown) => e instanceof UpstreamSecretError && !e.message.includes('sk-live'),
    )
    const noKey = (await createLink(handle.db, merchant, input(service({ secretHeader: null })), options)) as ServiceLink
    assert.deepEqual(await serviceSecretHeaders(handle.db, noKey), {}, 'no secret: no key needed')
  })
})
