import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { eq } from 'drizzle-orm'
import { describeEachDatabase } from '@/test/support/databases'
import type { DbHandle } from './db'
import * as LinkSales from './link-sales'
import * as Links from './links'
import * as Merchants from './merchants'
import { cardSaleHolds, links } from './schema'

describeEachDatabase('link sales (the sales cap)', (factory) => {
  let handle: DbHandle
  let merchantId: string
  let count = 0
  before(async () => {
    handle = await factory.open()
    merchantId = (await Merchants.insertOrGet(handle.db, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8')).id
  })
  after(async () => {
    await handle?.close()
  })

  async function cappedLink(maxPayments: number): Promise<string> {
    const link = await Links.insert(handle.db, {
      id: Links.newLinkId(),
      slug: `cap-${++count}`,
      merchantId,
      title: 'capped',
      priceUsd: '1',
      rails: ['stripe'],
      recipient: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      resource: { kind: 'inline', contentType: 'text/plain', body: 'x' },
      accessPolicy: { kind: 'once' },
      maxPayments,
    })
    return link!.id
  }

  async function taken(linkId: string): Promise<number> {
    const [row] = await handle.db.select({ n: links.salesReserved }).from(links).where(eq(links.id, linkId))
    return row!.n
  }

  const soon = () => new Date(Date.now() + 60_000)
  const later = new Date(Date.now() + 3600_000)

  test('twenty concurrent card holds for five slots: five taken, fifteen sold out', async () => {
    const linkId = await cappedLink(5)
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => LinkSales.holdForCard(handle.db, { linkId, challengeId: `c${i}`, expiresAt: soon() })),
    )
    assert.equal(outcomes.filter((o) => o === 'taken').length, 5)
    assert.equal(outcomes.filter((o) => o === 'sold-out').length, 15)
    assert.equal(await taken(linkId), 5)
  })

  test('the same challenge holds once; concurrent sweeps, cancels and sales each count once', async () => {
    const linkId = await cappedLink(3)
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => LinkSales.holdForCard(handle.db, { linkId, challengeId: 'same', expiresAt: soon() })),
    )
    assert.deepEqual(outcomes.sort(), ['held', 'held', 'held', 'held', 'taken'])
    await LinkSales.attachPaymentIntent(handle.db, { linkId, challengeId: 'same', paymentIntentId: 'pi_same' })
    assert.equal(await LinkSales.holdForCard(handle.db, { linkId, challengeId: 'other', expiresAt: soon() }), 'taken')
    assert.equal(await taken(linkId), 2)

    const cancels = await Promise.all(Array.from({ length: 4 }, () => LinkSales.releaseHold(handle.db, { paymentIntentId: 'pi_same' })))
    assert.equal(cancels.filter(Boolean).length, 1)
    assert.equal(await taken(linkId), 1)

    const sweeps = await Promise.all(Array.from({ length: 4 }, () => LinkSales.releaseExpired(handle.db, later, linkId)))
    assert.equal(
      sweeps.reduce((a, b) => a + b, 0),
      1,
      "the other challenge's hold expired once",
    )
    assert.equal(await taken(linkId), 0)

    // Both intents get paid after their slots came back: each sale counts once.
    const sales = await Promise.all([
      ...Array.from({ length: 3 }, () => LinkSales.sellHold(handle.db, { linkId, challengeId: 'same', paymentIntentId: 'pi_same' })),
      ...Array.from({ length: 3 }, () => LinkSales.sellHold(handle.db, { linkId, challengeId: 'other', paymentIntentId: 'pi_other' })),
    ])
    assert.equal(sales.filter((s) => s === 'sold-after-release').length, 2)
    assert.equal(await taken(linkId), 2)
    // A sold hold is never released.
    assert.equal(await LinkSales.releaseHold(handle.db, { paymentIntentId: 'pi_same' }), false)
    assert.equal(await LinkSales.releaseExpired(handle.db, later, linkId), 0)
    assert.equal(await taken(linkId), 2)
  })

  test('a held sale is converted without counting twice; another intent of the same challenge does not take it', async () => {
    const linkId = await cappedLink(1)
    assert.equal(await LinkSales.holdForCard(handle.db, { linkId, challengeId: 'c', expiresAt: soon() }), 'taken')
    await LinkSales.attachPaymentIntent(handle.db, { linkId, challengeId: 'c', paymentIntentId: 'pi_checkout' })
    assert.equal(await LinkSales.sellHold(handle.db, { linkId, challengeId: 'c', paymentIntentId: 'pi_someone_else' }), 'unchanged')
    assert.equal(await LinkSales.sellHold(handle.db, { linkId, challengeId: 'c', paymentIntentId: 'pi_checkout' }), 'sold')
    assert.equal(await LinkSales.sellHold(handle.db, { linkId, challengeId: 'c', paymentIntentId: 'pi_checkout' }), 'unchanged')
    assert.equal(await taken(linkId), 1)
    assert.equal(await LinkSales.takeSlot(handle.db, linkId), false)
  })

  test('one client keeps at most maxOpen unpaid holds of a link, even asking concurrently; others still get slots', async () => {
    const linkId = await cappedLink(10)
    const mallory = { key: 'client-m', maxOpen: 2 }
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        LinkSales.holdForCard(handle.db, { linkId, challengeId: `m${i}`, expiresAt: soon(), client: mallory }),
      ),
    )
    assert.equal(outcomes.filter((o) => o === 'taken').length, 2)
    assert.equal(outcomes.filter((o) => o === 'client-limit').length, 6)
    assert.equal(await taken(linkId), 2, 'refused asks took no slot')
    assert.equal(
      await LinkSales.holdForCard(handle.db, { linkId, challengeId: 'a0', expiresAt: soon(), client: { key: 'client-a', maxOpen: 2 } }),
      'taken',
    )
    const next = await LinkSales.nextClientHoldExpiry(handle.db, { linkId, clientKey: 'client-m' })
    assert.ok(next && next.getTime() > Date.now())
    // Once one of Mallory's holds is paid (or lapses), she may hold another.
    const paidChallenge = (await handle.db.select().from(cardSaleHolds).where(eq(cardSaleHolds.clientKey, 'client-m')))[0]!.challengeId
    await LinkSales.attachPaymentIntent(handle.db, { linkId, challengeId: paidChallenge, paymentIntentId: 'pi_m_paid' })
    assert.equal(await LinkSales.sellHold(handle.db, { linkId, challengeId: paidChallenge, paymentIntentId: 'pi_m_paid' }), 'sold')
    assert.equal(await LinkSales.holdForCard(handle.db, { linkId, challengeId: 'm9', expiresAt: soon(), client: mallory }), 'taken')
  })

  test('a confirming payer extends an unpaid hold; unconfirmed holds are the ones found lapsing', async () => {
    const linkId = await cappedLink(3)
    const now = new Date()
    const short = new Date(now.getTime() + 120_000)
    for (const c of ['quiet', 'busy']) {
      await LinkSales.holdForCard(handle.db, { linkId, challengeId: c, expiresAt: short })
      await LinkSales.attachPaymentIntent(handle.db, { linkId, challengeId: c, paymentIntentId: `pi_${c}` })
    }
    const lapsing = await LinkSales.lapsingUnconfirmed(handle.db, { before: new Date(now.getTime() + 150_000), limit: 100 })
    assert.deepEqual(
      lapsing
        .filter((h) => h.linkId === linkId)
        .map((h) => h.challengeId)
        .sort(),
      ['busy', 'quiet'],
    )
    assert.equal(await LinkSales.confirmHold(handle.db, { paymentIntentId: 'pi_busy', now }), true)
    assert.equal(await LinkSales.confirmHold(handle.db, { paymentIntentId: 'pi_nobody', now }), false)
    const busy = await LinkSales.getHold(handle.db, { linkId, challengeId: 'busy' })
    assert.equal(busy?.expiresAt.getTime(), now.getTime() + LinkSales.confirmedHoldSeconds * 1000)
    assert.ok(busy?.confirmedAt)
    const still = await LinkSales.lapsingUnconfirmed(handle.db, { before: new Date(now.getTime() + 150_000), limit: 100 })
    assert.deepEqual(
      still.filter((h) => h.linkId === linkId).map((h) => h.challengeId),
      ['quiet'],
    )
    // After the short window only the unconfirmed hold is released.
    assert.equal(await LinkSales.releaseExpired(handle.db, new Date(now.getTime() + 180_000), linkId), 1)
    assert.equal((await LinkSales.getHold(handle.db, { linkId, challengeId: 'quiet' }))?.status, 'released')
    assert.equal((await LinkSales.getHold(handle.db, { linkId, challengeId: 'busy' }))?.status, 'held')
    assert.equal(await taken(linkId), 1)
  })

  test('a slot held by an expired hold goes to the next buyer without waiting for the sweep', async () => {
    const linkId = await cappedLink(1)
    assert.equal(await LinkSales.holdForCard(handle.db, { linkId, challengeId: 'gone', expiresAt: new Date(Date.now() - 1000) }), 'taken')
    assert.equal(await LinkSales.takeSlot(handle.db, linkId), true, 'a crypto buyer')
    assert.equal((await LinkSales.getHold(handle.db, { linkId, challengeId: 'gone' }))?.status, 'released')
    assert.equal(await LinkSales.holdForCard(handle.db, { linkId, challengeId: 'late', expiresAt: soon() }), 'sold-out')
  })
})
