// The dashboard's payment queries on PGlite and PostgreSQL: filters, pagination, ownership,
// CSV export, overview figures and card refunds.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { sql } from 'drizzle-orm'
import type { DbHandle } from '@/lib/store/db'
import * as StorePayments from '@/lib/store/payments'
import { challengeCounts, webhookEvents } from '@/lib/store/schema'
import { setWebhookUrl } from '@/lib/webhooks/settings'
import { setWebhookWorkerEnabled } from '@/lib/webhooks/worker'
import { makeLink, makeMerchant, makePayment } from '@/test/dashboard/fixtures'
import { describeEachDatabase } from '@/test/support/databases'
import { paymentsCsv } from './csv'
import { NotRefundableError, PaymentNotFoundError, RefundFailedError, RefundsUnavailableError } from './errors'
import { parseFilters } from './filters'
import { getPayment } from './get-payment'
import { listPayments } from './list-payments'
import { getOverview } from './overview'
import { refundPayment } from './refund-payment'

const day = (offset: number) => new Date(Date.UTC(2030, 0, 15 + offset, 12))

describeEachDatabase('Dashboard payments', (factory) => {
  let handle: DbHandle
  before(async () => {
    setWebhookWorkerEnabled(false)
    handle = await factory.open()
  })
  after(async () => {
    setWebhookWorkerEnabled(true)
    await handle?.close()
  })

  test('filters by link, rail, protocol, status and inclusive date range; never shows another merchant', async () => {
    const a = await makeMerchant(handle.db)
    const b = await makeMerchant(handle.db)
    const la = await makeLink(handle.db, a.id, { title: 'A one' })
    const la2 = await makeLink(handle.db, a.id, { title: 'A two' })
    const lb = await makeLink(handle.db, b.id)
    await makePayment(handle.db, la, { createdAt: day(0) })
    await makePayment(handle.db, la, { createdAt: day(1), method: 'stripe', protocol: 'mpp' })
    await makePayment(handle.db, la2, { createdAt: day(2), protocol: 'x402' })
    await makePayment(handle.db, la2, { createdAt: day(3), status: 'refunded', method: 'stripe' })
    await makePayment(handle.db, lb, { createdAt: day(1) })

    const all = await listPayments(handle.db, a.id, {})
    assert.equal(all.total, 4)
    assert.deepEqual(
      all.payments.map((p) => p.createdAt.toISOString()),
      [day(3), day(2), day(1), day(0)].map((d) => d.toISOString()),
    )
    assert.equal(all.payments[0]!.linkTitle, 'A two')
    assert.equal((await listPayments(handle.db, a.id, { linkId: la.id })).total, 2)
    assert.equal((await listPayments(handle.db, a.id, { rail: 'stripe' })).total, 2)
    assert.equal((await listPayments(handle.db, a.id, { protocol: 'x402' })).total, 1)
    assert.equal((await listPayments(handle.db, a.id, { status: 'refunded' })).total, 1)
    const range = await listPayments(handle.db, a.id, { from: '2030-01-16', to: '2030-01-17' })
    assert.deepEqual(
      range.payments.map((p) => p.createdAt.toISOString()),
      [day(2), day(1)].map((d) => d.toISOString()),
    )
    assert.equal((await listPayments(handle.db, a.id, { linkId: lb.id })).total, 0, "another merchant's link filters to nothing")
    assert.equal((await listPayments(handle.db, b.id, {})).total, 1)
  })

  test('pagination: pages partition the set, out-of-range pages clamp', async () => {
    const m = await makeMerchant(handle.db)
    const link = await makeLink(handle.db, m.id)
    for (let i = 0; i < 7; i++) await makePayment(handle.db, link, { createdAt: day(-i) })
    const seen: string[] = []
    for (let page = 1; page <= 3; page++) {
      const result = await listPayments(handle.db, m.id, {}, { page, pageSize: 3 })
      assert.equal(result.pageCount, 3)
      seen.push(...result.payments.map((p) => p.id))
    }
    assert.equal(new Set(seen).size, 7)
    assert.equal((await listPayments(handle.db, m.id, {}, { page: 99, pageSize: 3 })).page, 3)
  })

  test("getPayment: own payments only; another merchant's id and malformed ids are not found", async () => {
    const a = await makeMerchant(handle.db)
    const b = await makeMerchant(handle.db)
    const payment = await makePayment(handle.db, await makeLink(handle.db, a.id))
    assert.equal((await getPayment(handle.db, a.id, payment.id)).id, payment.id)
    await assert.rejects(getPayment(handle.db, b.id, payment.id), PaymentNotFoundError)
    await assert.rejects(getPayment(handle.db, a.id, "pay_' OR 1=1 --"), PaymentNotFoundError)
  })

  test('CSV export: the filtered set only, header first, every row, formula cells neutralised', async () => {
    const m = await makeMerchant(handle.db)
    const link = await makeLink(handle.db, m.id, { title: '=cmd|calc' })
    const other = await makeLink(handle.db, (await makeMerchant(handle.db)).id)
    for (let i = 0; i < 1203; i++) await makePayment(handle.db, link, { createdAt: new Date(day(0).getTime() + (i % 5)) })
    await makePayment(handle.db, other)
    let text = ''
    for await (const chunk of paymentsCsv(handle.db, m.id, parseFilters(new URLSearchParams('rail=evm')))) text += chunk
    const lines = text.trimEnd().split('\r\n')
    assert.equal(
      lines[0],
      'id,created_at,link_id,link_title,amount_usd,rail,protocol,status,payer,reference,amount_base_units,currency,challenge_id,refunded_at',
    )
    assert.equal(lines.length, 1204)
    assert.equal(new Set(lines.slice(1).map((l) => l.split(',')[0])).size, 1203, 'keyset pages neither skip nor repeat rows')
    assert.ok(lines.slice(1).every((l) => l.split(',')[3] === "'=cmd|calc"))
  })

  test('overview: revenue by day, counts, refunds, rail/protocol split and 402 conversion', async () => {
    const m = await makeMerchant(handle.db)
    const link = await makeLink(handle.db, m.id, { price: '0.25' })
    const now = new Date()
    const today = now.toISOString().slice(0, 10)
    await makePayment(handle.db, link, { createdAt: now })
    await makePayment(handle.db, link, { createdAt: now, protocol: 'x402' })
    await makePayment(handle.db, link, { createdAt: new Date(now.getTime() - 86_400_000), method: 'stripe' })
    await makePayment(handle.db, link, { createdAt: now, method: 'stripe', status: 'refunded' })
    await makePayment(handle.db, link, { createdAt: new Date(now.getTime() - 40 * 86_400_000) })
    await handle.db.insert(challengeCounts).values({ resourceKey: `link:${link.id}`, day: today, count: 8 })
    const overview = await getOverview(handle.db, m.id, { days: 30, now })
    assert.equal(overview.revenueUsd, '0.75')
    assert.equal(overview.allTimeRevenueUsd, '1')
    assert.equal(overview.payments, 3)
    assert.equal(overview.refunds, 1)
    assert.equal(overview.refundedUsd, '0.25')
    assert.equal(overview.challenges, 8)
    assert.equal(overview.conversion, 4 / 8)
    assert.equal(overview.byDay.length, 30)
    assert.deepEqual(overview.byDay.at(-1), { day: today, revenueUsd: '0.5', payments: 2 })
    assert.deepEqual(overview.byRail, [
      { key: 'evm', payments: 2, revenueUsd: '0.5' },
      { key: 'stripe', payments: 1, revenueUsd: '0.25' },
    ])
    assert.deepEqual(overview.byProtocol, [
      { key: 'mpp', payments: 2, revenueUsd: '0.5' },
      { key: 'x402', payments: 1, revenueUsd: '0.25' },
    ])
    const empty = await getOverview(handle.db, (await makeMerchant(handle.db)).id)
    assert.equal(empty.revenueUsd, '0')
    assert.equal(empty.conversion, null)
  })

  test('refunds: card payments once (webhook event queued), on-chain refused, other merchants not found', async () => {
    const m = await makeMerchant(handle.db)
    await setWebhookUrl(handle.db, m.id, 'https://hooks.example.com/t', { allowPrivate: false, resolve: async () => ['93.184.216.34'] })
    const link = await makeLink(handle.db, m.id)
    const card = await makePayment(handle.db, link, { method: 'stripe' })
    const chain = await makePayment(handle.db, link)
    const refunded: string[] = []
    const stripe = { refund: async (pi: string) => void refunded.push(pi) }

    await assert.rejects(refundPayment(handle.db, (await makeMerchant(handle.db)).id, card.id, stripe), PaymentNotFoundError)
    await assert.rejects(refundPayment(handle.db, m.id, chain.id, stripe), NotRefundableError)
    await assert.rejects(refundPayment(handle.db, m.id, card.id, null), RefundsUnavailableError)
    await assert.rejects(
      refundPayment(handle.db, m.id, card.id, { refund: async () => Promise.reject(new Error('stripe down')) }),
      RefundFailedError,
    )
    assert.equal((await StorePayments.getById(handle.db, card.id))?.status, 'succeeded', 'a failed refund changes nothing')

    const result = await refundPayment(handle.db, m.id, card.id, stripe)
    assert.equal(result.status, 'refunded')
    assert.ok(result.refundedAt)
    assert.deepEqual(refunded, [card.reference])
    await assert.rejects(refundPayment(handle.db, m.id, card.id, stripe), NotRefundableError)
    const events = await handle.db
      .select()
      .from(webhookEvents)
      .where(sql`${webhookEvents.paymentId} = ${card.id}`)
    assert.deepEqual(
      events.map((e) => e.type),
      ['payment.refunded'],
    )
    assert.equal(JSON.parse(events[0]!.payload).data.payment.status, 'refunded')
  })
})

test('filters: malformed values are dropped, valid ones kept', () => {
  assert.deepEqual(parseFilters(new URLSearchParams('rail=btc&protocol=x402&status=&from=2030-02-30&to=2030-01-31&link=lnk_abc')), {
    protocol: 'x402',
    to: '2030-01-31',
    linkId: 'lnk_abc',
  })
  assert.deepEqual(parseFilters({ rail: ['stripe', 'evm'], link: "lnk_'; drop" }), { rail: 'stripe' })
  // Days whose bounds PostgreSQL cannot take (the day after 9999-12-31, year 0) are dropped too.
  assert.deepEqual(parseFilters(new URLSearchParams('from=0000-01-01&to=9999-12-31')), {})
})
