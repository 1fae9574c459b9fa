// Slug takeover: a renamed or deleted link's old slug stays its merchant's, so shared URLs and printed
// QR codes never lead to another merchant's link; the same merchant may reuse it.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { describeEachDatabase } from '@/test/support/databases'
import { ensureMerchant } from '@/lib/merchants/ensure-merchant'
import type { DbHandle } from '@/lib/store/db'
import { createLink } from './create-link'
import { deleteLink } from './delete-link'
import { SlugTakenError } from './errors'
import { findRetiredSlug, getLinkBySlug } from './get-link-by-slug'
import { updateLink } from './update-link'

const input = (slug?: string) => ({
  title: 'Weather API',
  price: '0.01',
  rails: ['evm'],
  resource: { kind: 'inline', contentType: 'text/plain', body: 'sunny' },
  ...(slug ? { slug } : {}),
})

describeEachDatabase('slug reservations', (factory) => {
  let handle: DbHandle
  let alice: string
  let mallory: string
  before(async () => {
    handle = await factory.open()
    alice = (await ensureMerchant(handle.db, '0x70997970c51812dc3a010c7d01b50e0d17dc79c8')).id
    mallory = (await ensureMerchant(handle.db, '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC')).id
  })
  after(async () => {
    await handle?.close()
  })

  const taken = (slug: string) => (error: unknown) => {
    assert.ok(error instanceof SlugTakenError, String(error))
    assert.equal(error.status, 409)
    assert.match(error.message, new RegExp(`"${slug}" is already taken`))
    return true
  }

  test("a renamed link's old slug leads to its new one, and no other merchant can claim it", async () => {
    const link = await createLink(handle.db, alice, input('spring-sale'))
    await updateLink(handle.db, alice, link.id, { slug: 'summer-sale' })
    assert.equal(await getLinkBySlug(handle.db, 'spring-sale'), null)
    assert.deepEqual(await findRetiredSlug(handle.db, 'Spring-Sale'), { kind: 'renamed', slug: 'summer-sale' })
    await assert.rejects(createLink(handle.db, mallory, input('spring-sale')), taken('spring-sale'))
    const theirs = await createLink(handle.db, mallory, input())
    await assert.rejects(updateLink(handle.db, mallory, theirs.id, { slug: 'spring-sale', title: 'Changed' }), taken('spring-sale'))
    assert.equal((await getLinkBySlug(handle.db, theirs.slug))?.title, 'Weather API', 'the refused rename changed nothing')
    // A second rename: both old slugs lead to the current one.
    await updateLink(handle.db, alice, link.id, { slug: 'autumn-sale' })
    assert.deepEqual(await findRetiredSlug(handle.db, 'spring-sale'), { kind: 'renamed', slug: 'autumn-sale' })
    assert.deepEqual(await findRetiredSlug(handle.db, 'summer-sale'), { kind: 'renamed', slug: 'autumn-sale' })
  })

  test("a deleted link's slug is gone for good for everyone else; its merchant may use it again", async () => {
    const link = await createLink(handle.db, alice, input('old-offer'))
    await deleteLink(handle.db, alice, link.id)
    assert.deepEqual(await findRetiredSlug(handle.db, 'old-offer'), { kind: 'deleted' })
    await assert.rejects(createLink(handle.db, mallory, input('old-offer')), taken('old-offer'))
    const again = await createLink(handle.db, alice, input('old-offer'))
    assert.equal((await getLinkBySlug(handle.db, 'old-offer'))?.id, again.id)
  })

  test('a merchant may rename a link back to one of its own old slugs', async () => {
    const link = await createLink(handle.db, alice, input('back-and-forth'))
    await updateLink(handle.db, alice, link.id, { slug: 'forth' })
    assert.equal((await updateLink(handle.db, alice, link.id, { slug: 'back-and-forth' })).slug, 'back-and-forth')
    assert.deepEqual(await findRetiredSlug(handle.db, 'forth'), { kind: 'renamed', slug: 'back-and-forth' })
    assert.equal(await findRetiredSlug(handle.db, 'never-used'), null)
  })

  test('two merchants racing for a fresh slug: exactly one gets it', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => createLink(handle.db, i % 2 ? alice : mallory, input('contested'))),
    )
    const won = results.filter((r) => r.status === 'fulfilled')
    assert.equal(won.length, 1)
    for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof SlugTakenError)
    const winner = (won[0] as PromiseFulfilledResult<{ merchantId: string }>).value.merchantId
    const loser = winner === alice ? mallory : alice
    const own = await createLink(handle.db, loser, input())
    await assert.rejects(updateLink(handle.db, loser, own.id, { slug: 'contested' }), SlugTakenError)
  })
})
