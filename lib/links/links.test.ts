import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { getAddress } from 'viem'
import { after, before, test } from 'node:test'
import { describeEachDatabase } from '@/test/support/databases'
import { ensureMerchant } from '@/lib/merchants/ensure-merchant'
import type { DbHandle } from '@/lib/store/db'
import * as Files from '@/lib/store/files'
import { payments } from '@/lib/store/schema'
import { countLinkPayments } from './count-link-payments'
import { createLink } from './create-link'
import { deleteLink } from './delete-link'
import { AppError } from '@/lib/errors/app-error'
import { InvalidInputError, LinkHasPaymentsError, NotFoundError, SlugTakenError } from './errors'
import { getLink } from './get-link'
import { getLinkBySlug } from './get-link-by-slug'
import { linkAvailability } from './link-availability'
import { listLinks } from './list-links'
import { setLinkActive } from './set-link-active'
import { updateLink } from './update-link'

const aliceAddress = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8'
const bobAddress = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
const input = (extra: Record<string, unknown> = {}) => ({
  title: 'Weather API',
  price: '0.01',
  rails: ['evm'],
  resource: { kind: 'inline', contentType: 'application/json', body: '{"temp":21}' },
  ...extra,
})

function isAppError<E extends AppError>(type: new (...args: never[]) => E, check?: (error: E) => void) {
  return (error: unknown) => {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`)
    check?.(error)
    return true
  }
}

describeEachDatabase('links', (factory) => {
  let handle: DbHandle
  let alice: string
  let bob: string
  before(async () => {
    handle = await factory.open()
    alice = (await ensureMerchant(handle.db, aliceAddress)).id
    bob = (await ensureMerchant(handle.db, bobAddress)).id
  })
  after(async () => {
    await handle?.close()
  })

  async function pay(linkId: string, amountUsd: string, status: 'succeeded' | 'refunded' = 'succeeded') {
    const id = `pay_${randomBytes(8).toString('hex')}`
    await handle.db.insert(payments).values({
      id,
      settlementKey: id,
      linkId,
      merchantId: alice,
      resourceKey: `link:${linkId}`,
      protocol: 'mpp',
      method: 'evm',
      amount: '0',
      currency: '0x0000000000000000000000000000000000000001',
      amountUsd,
      reference: `0x${id}`,
      status,
      receipt: {},
    })
  }

  test('a link sold per request as a session: stored with its terms, only when it pays the settlement account', async () => {
    const settlement = { sessionPayee: getAddress(aliceAddress) }
    const session = { unitType: 'llm_token', suggestedDeposit: '0.10' }
    const link = await createLink(handle.db, alice, input({ price: '0.0001', rails: [], session }), settlement)
    assert.deepEqual(link.session, { unitType: 'llm_token', suggestedDepositUsd: '0.1' })
    assert.deepEqual(link.rails, [])
    const both = await createLink(handle.db, alice, input({ session: { unitType: 'request' } }), settlement)
    assert.deepEqual([both.rails, both.session], [['evm'], { unitType: 'request', suggestedDepositUsd: null }])

    const reason = `sessions pay the server's settlement account ${getAddress(aliceAddress)}; set the recipient to it, or price per call`
    const refusedFor = (path: string, message: string) =>
      isAppError(InvalidInputError, (e) => assert.deepEqual(e.issues, [{ path, message }]))
    await assert.rejects(
      createLink(handle.db, alice, input({ rails: [], session, recipient: bobAddress }), settlement),
      refusedFor('recipient', reason),
    )
    await assert.rejects(updateLink(handle.db, alice, link.id, { recipient: bobAddress }, settlement), refusedFor('recipient', reason))
    await assert.rejects(
      createLink(handle.db, alice, input({ rails: [], session }), { sessionPayee: null }),
      refusedFor('session', 'this server does not sell sessions (no session escrow is configured); price per call instead'),
    )
    // Per call only again: the recipient is free; dropping the session of a session-only link needs a rail.
    await assert.rejects(
      updateLink(handle.db, alice, link.id, { session: null }, settlement),
      refusedFor('rails', 'enable at least one payment rail, or sell the link per request as a session'),
    )
    const perCall = await updateLink(handle.db, alice, link.id, { session: null, rails: ['evm'], recipient: bobAddress }, settlement)
    assert.deepEqual([perCall.session, perCall.recipient], [null, getAddress(bobAddress)])
  })

  test('createLink stores a validated link with a generated unguessable slug and the merchant as default recipient', async () => {
    const link = await createLink(handle.db, alice, input({ price: '12.50', description: ' About ' }))
    assert.match(link.slug, /^[0-9a-z]{12}$/)
    assert.match(link.id, /^lnk_/)
    assert.equal(link.merchantId, alice)
    assert.equal(link.priceUsd, '12.5')
    assert.equal(link.description, 'About')
    assert.equal(link.recipient, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8')
    assert.deepEqual(link.rails, ['evm'])
    assert.deepEqual(link.resource, { kind: 'inline', contentType: 'application/json', body: '{"temp":21}' })
    assert.deepEqual(link.accessPolicy, { kind: 'once' })
    assert.equal(link.active, true)
    assert.equal(link.maxPayments, null)
    assert.equal(link.expiresAt, null)
    assert.deepEqual(await getLinkBySlug(handle.db, link.slug), link)
    assert.deepEqual(await getLinkBySlug(handle.db, link.slug.toUpperCase()), link)
  })

  test('createLink keeps every optional field it was given', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000)
    const link = await createLink(
      handle.db,
      alice,
      input({
        slug: 'Full-Options',
        rails: ['stripe', 'evm'],
        recipient: bobAddress.toLowerCase(),
        maxPayments: 5,
        expiresAt: expiresAt.toISOString(),
        active: false,
        accessPolicy: { kind: 'window', minutes: 30 },
        resource: { kind: 'proxy', url: 'https://api.example.com/v1?q=1' },
      }),
    )
    assert.equal(link.slug, 'full-options')
    assert.deepEqual(link.rails, ['evm', 'stripe'])
    assert.equal(link.recipient, bobAddress)
    assert.equal(link.maxPayments, 5)
    assert.equal(link.expiresAt?.toISOString(), expiresAt.toISOString())
    assert.equal(link.active, false)
    assert.deepEqual(link.accessPolicy, { kind: 'window', minutes: 30 })
    assert.deepEqual(link.resource, { kind: 'proxy', url: 'https://api.example.com/v1?q=1' })
  })

  test('a proxy upstream on a non-public address is a 400 on resource.url, at create and at update', async () => {
    // The resolver seam: a public-looking name that points at loopback.
    const outbound = {
      allowPrivate: false,
      resolve: async (hostname: string) => (hostname === 'api.rebound.example' ? ['127.0.0.1'] : ['93.184.216.34']),
    }
    const proxy = (url: string) => input({ resource: { kind: 'proxy', url } })
    for (const [url, reason] of [
      ['http://127.0.0.1:8080/api', /127\.0\.0\.1 is a loopback address/],
      ['http://[::ffff:127.0.0.1]/', /IPv4-mapped form of a loopback/],
      ['http://169.254.169.254/latest/meta-data/', /link-local/],
      ['http://localhost./', /names this server/],
      ['https://api.rebound.example/v1', /api\.rebound\.example resolves to 127\.0\.0\.1, a loopback address/],
    ] as const)
      await assert.rejects(
        createLink(handle.db, alice, proxy(url), { outbound }),
        isAppError(InvalidInputError, (e) => {
          assert.equal(e.status, 400)
          assert.equal(e.issues[0]?.path, 'resource.url')
          assert.match(e.message, reason)
          assert.match(e.message, /Tollgate connects only to public addresses/)
        }),
        url,
      )
    const link = await createLink(handle.db, alice, proxy('https://api.public.example/v1'), { outbound })
    await assert.rejects(
      updateLink(handle.db, alice, link.id, { resource: { kind: 'proxy', url: 'https://api.rebound.example/v2' } }, { outbound }),
      isAppError(InvalidInputError, (e) => assert.equal(e.issues[0]?.path, 'resource.url')),
    )
    // A redirect link sends the buyer's browser, not Tollgate, to its URL: nothing to check there.
    await createLink(handle.db, alice, input({ resource: { kind: 'redirect', url: 'http://127.0.0.1:8080/' } }), { outbound })
    const allowed = await createLink(handle.db, alice, proxy('http://127.0.0.1:8080/api'), {
      outbound: { ...outbound, allowPrivate: true },
    })
    assert.deepEqual(allowed.resource, { kind: 'proxy', url: 'http://127.0.0.1:8080/api' })
  })

  test('a taken custom slug is a typed 409, also when many creates race for it', async () => {
    await createLink(handle.db, alice, input({ slug: 'demo' }))
    await assert.rejects(
      createLink(handle.db, bob, input({ slug: 'DEMO' })),
      isAppError(SlugTakenError, (e) => {
        assert.equal(e.status, 409)
        assert.equal(e.code, 'slug_taken')
      }),
    )
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => createLink(handle.db, alice, input({ slug: 'race-slug' }))))
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1)
    for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof SlugTakenError)
  })

  test('invalid input is a typed 400 listing the issues; an unknown merchant is not found', async () => {
    await assert.rejects(
      createLink(handle.db, alice, input({ price: '1e3', rails: [] })),
      isAppError(InvalidInputError, (e) => {
        assert.equal(e.status, 400)
        assert.deepEqual(e.issues.map((i) => i.path).sort(), ['price', 'rails'])
      }),
    )
    await assert.rejects(createLink(handle.db, alice, null), InvalidInputError)
    await assert.rejects(
      createLink(handle.db, 'mer_nobody', input()),
      isAppError(NotFoundError, (e) => assert.equal(e.resource, 'merchant')),
    )
  })

  test('a file resource must be the same merchant’s file; others read exactly like a missing file', async () => {
    const own = await Files.saveFile(handle.db, alice, {
      name: 'report.pdf',
      contentType: 'application/pdf',
      bytes: new Uint8Array([1, 2, 3]),
    })
    const theirs = await Files.saveFile(handle.db, bob, { name: 'secret.pdf', contentType: 'application/pdf', bytes: new Uint8Array([4]) })
    const link = await createLink(handle.db, alice, input({ resource: { kind: 'file', fileId: own.id } }))
    assert.deepEqual(link.resource, { kind: 'file', fileId: own.id })
    const messages: string[] = []
    for (const fileId of [theirs.id, 'fil_missing']) {
      await assert.rejects(
        createLink(handle.db, alice, input({ resource: { kind: 'file', fileId } })),
        isAppError(NotFoundError, (e) => {
          assert.equal(e.status, 404)
          messages.push(e.message)
        }),
      )
      await assert.rejects(updateLink(handle.db, alice, link.id, { resource: { kind: 'file', fileId } }), NotFoundError)
    }
    assert.equal(messages[0], messages[1])
  })

  test('updateLink changes only the given fields, re-validates across fields, and moves updatedAt', async () => {
    const link = await createLink(handle.db, alice, input({ maxPayments: 3, description: 'keep me' }))
    const updated = await updateLink(handle.db, alice, link.id, {
      title: 'New title',
      price: '0.50',
      maxPayments: null,
      rails: ['evm', 'stripe'],
    })
    assert.equal(updated.title, 'New title')
    assert.equal(updated.priceUsd, '0.5')
    assert.equal(updated.maxPayments, null)
    assert.deepEqual(updated.rails, ['evm', 'stripe'])
    assert.equal(updated.description, 'keep me')
    assert.equal(updated.slug, link.slug)
    assert.ok(updated.updatedAt.getTime() >= link.updatedAt.getTime())
    // The stored price is whole cents, so a sub-cent price with stripe still enabled is refused.
    await assert.rejects(
      updateLink(handle.db, alice, link.id, { price: '0.001' }),
      isAppError(InvalidInputError, (e) => assert.match(e.message, /whole cents/)),
    )
    assert.equal((await updateLink(handle.db, alice, link.id, { price: '0.001', rails: ['evm'] })).priceUsd, '0.001')
    assert.deepEqual(await updateLink(handle.db, alice, link.id, {}), { ...(await getLink(handle.db, alice, link.id)) })
  })

  test('updateLink: a slug clash is a typed 409 and changes nothing', async () => {
    const a = await createLink(handle.db, alice, input({ slug: 'first-slug' }))
    const b = await createLink(handle.db, alice, input({ slug: 'second-slug' }))
    await assert.rejects(updateLink(handle.db, alice, b.id, { slug: 'first-slug', title: 'Changed' }), SlugTakenError)
    assert.equal((await getLink(handle.db, alice, b.id)).title, 'Weather API')
    assert.equal((await updateLink(handle.db, alice, a.id, { slug: 'renamed-slug' })).slug, 'renamed-slug')
    assert.equal(await getLinkBySlug(handle.db, 'first-slug'), null)
  })

  test('another merchant’s link id is not found for every operation, and stays untouched', async () => {
    const link = await createLink(handle.db, alice, input())
    const notFound = isAppError(NotFoundError, (e) => {
      assert.equal(e.resource, 'link')
      assert.equal(e.status, 404)
    })
    await assert.rejects(getLink(handle.db, bob, link.id), notFound)
    await assert.rejects(updateLink(handle.db, bob, link.id, { title: 'Hijacked' }), notFound)
    await assert.rejects(setLinkActive(handle.db, bob, link.id, false), notFound)
    await assert.rejects(deleteLink(handle.db, bob, link.id), notFound)
    await assert.rejects(getLink(handle.db, alice, 'lnk_missing'), notFound)
    const still = await getLink(handle.db, alice, link.id)
    assert.equal(still.title, 'Weather API')
    assert.equal(still.active, true)
    assert.ok(!(await listLinks(handle.db, bob)).some((l) => l.id === link.id))
  })

  test('setLinkActive turns a link off and on', async () => {
    const link = await createLink(handle.db, alice, input())
    assert.equal((await setLinkActive(handle.db, alice, link.id, false)).active, false)
    assert.equal(linkAvailability(await getLink(handle.db, alice, link.id), 0), 'inactive')
    assert.equal((await setLinkActive(handle.db, alice, link.id, true)).active, true)
    await assert.rejects(setLinkActive(handle.db, alice, link.id, 'no' as unknown as boolean), InvalidInputError)
  })

  test('listLinks counts succeeded payments and sums revenue exactly (0.1 + 0.2 = 0.3)', async () => {
    const fresh = await ensureMerchant(handle.db, '0x90F79bf6EB2c4f870365E785982E1f101E93b906')
    const paid = await createLink(handle.db, fresh.id, input({ title: 'Paid' }))
    const unpaid = await createLink(handle.db, fresh.id, input({ title: 'Unpaid' }))
    await pay(paid.id, '0.1')
    await pay(paid.id, '0.2')
    await pay(paid.id, '0.000001')
    await pay(paid.id, '100', 'refunded')
    const list = await listLinks(handle.db, fresh.id)
    assert.deepEqual(
      list.map((l) => l.title),
      ['Unpaid', 'Paid'],
    )
    const [u, p] = list
    assert.equal(p!.paymentsCount, 3)
    assert.equal(p!.revenueUsd, '0.300001')
    assert.equal(u!.paymentsCount, 0)
    assert.equal(u!.revenueUsd, '0')
    assert.equal(u!.id, unpaid.id)
    assert.deepEqual(await listLinks(handle.db, 'mer_nobody'), [])
  })

  test('deleteLink removes an unpaid link but refuses one with payments (typed 409)', async () => {
    const unpaid = await createLink(handle.db, alice, input())
    await deleteLink(handle.db, alice, unpaid.id)
    assert.equal(await getLinkBySlug(handle.db, unpaid.slug), null)
    await assert.rejects(deleteLink(handle.db, alice, unpaid.id), NotFoundError)

    const paid = await createLink(handle.db, alice, input())
    await pay(paid.id, '0.01', 'refunded')
    await assert.rejects(
      deleteLink(handle.db, alice, paid.id),
      isAppError(LinkHasPaymentsError, (e) => {
        assert.equal(e.status, 409)
        assert.equal(e.code, 'link_has_payments')
      }),
    )
    assert.equal((await getLink(handle.db, alice, paid.id)).id, paid.id)
  })

  test('max payments: succeeded payments sell a link out; a refund frees the slot; expiry and deactivation win', async () => {
    const link = await createLink(handle.db, alice, input({ maxPayments: 2 }))
    assert.equal(await countLinkPayments(handle.db, link.id), 0)
    assert.equal(linkAvailability(link, await countLinkPayments(handle.db, link.id)), 'ok')
    await pay(link.id, '0.01')
    await pay(link.id, '0.01', 'refunded')
    assert.equal(await countLinkPayments(handle.db, link.id), 1)
    assert.equal(linkAvailability(link, await countLinkPayments(handle.db, link.id)), 'ok')
    await pay(link.id, '0.01')
    assert.equal(await countLinkPayments(handle.db, link.id), 2)
    assert.equal(linkAvailability(link, 2), 'sold-out')
    const raised = await updateLink(handle.db, alice, link.id, { maxPayments: 3 })
    assert.equal(linkAvailability(raised, 2), 'ok')

    const expiring = await createLink(handle.db, alice, input({ expiresAt: new Date(Date.now() + 60_000).toISOString() }))
    assert.equal(linkAvailability(expiring, 0), 'ok')
    assert.equal(linkAvailability(expiring, 0, new Date(Date.now() + 120_000)), 'expired')
  })

  test('getLinkBySlug answers null for anything that is not a stored slug', async () => {
    for (const slug of ['', 'no', 'missing-slug', 'x'.repeat(65), "' OR 1=1 --", '../etc', 'dëmo'])
      assert.equal(await getLinkBySlug(handle.db, slug), null, slug)
  })
})
