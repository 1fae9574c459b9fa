// The dashboard overview: revenue over time, payment counts, conversion from 402s to payments,
// and the split by rail and protocol. Money is summed as SQL numeric and returned as decimal text.
import { and, count, eq, gte, sql } from 'drizzle-orm'
import type { Db } from '@/lib/store/db'
import { challengeCounts, links, payments } from '@/lib/store/schema'

export type DayRevenue = { day: string; revenueUsd: string; payments: number }
export type Split = { key: string; payments: number; revenueUsd: string }
export type Overview = {
  days: number
  since: string
  revenueUsd: string
  payments: number
  refunds: number
  refundedUsd: string
  /** 402 challenges issued for the merchant's links in the window. */
  challenges: number
  /** Payments per 402 issued, 0..1 (null when no 402 was issued). */
  conversion: number | null
  byDay: DayRevenue[]
  byRail: Split[]
  byProtocol: Split[]
  allTimeRevenueUsd: string
}

const DAY_MS = 86_400_000
// Amounts are validated before they are stored; the pattern only keeps one bad row from failing the page.
const usd = sql`CASE WHEN ${payments.amountUsd} ~ '^[0-9]+(\\.[0-9]+)?$' THEN ${payments.amountUsd}::numeric END`
const succeeded = sql`${payments.status} = 'succeeded'`
const revenueSum = sql<string>`coalesce(sum(${usd}) FILTER (WHERE ${succeeded}), 0)::text`
const succeededCount = sql<number>`(count(*) FILTER (WHERE ${succeeded}))::int`

export async function getOverview(db: Db, merchantId: string, options: { days?: number; now?: Date } = {}): Promise<Overview> {
  const days = Math.min(Math.max(Math.floor(options.days ?? 30), 1), 366)
  const now = options.now ?? new Date()
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())
  const since = new Date(today - (days - 1) * DAY_MS)
  const inWindow = and(eq(payments.merchantId, merchantId), gte(payments.createdAt, since))
  const day = sql<string>`to_char(${payments.createdAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`

  const [totals, perDay, perRail, perProtocol, allTime, challenges] = await Promise.all([
    db
      .select({
        revenueUsd: revenueSum,
        payments: succeededCount,
        refunds: sql<number>`(count(*) FILTER (WHERE ${payments.status} = 'refunded'))::int`,
        refundedUsd: sql<string>`coalesce(sum(${usd}) FILTER (WHERE ${payments.status} = 'refunded'), 0)::text`,
        all: count(),
      })
      .from(payments)
      .where(inWindow),
    db.select({ day, revenueUsd: revenueSum, payments: succeededCount }).from(payments).where(inWindow).groupBy(day),
    db
      .select({ key: payments.method, revenueUsd: revenueSum, payments: succeededCount })
      .from(payments)
      .where(inWindow)
      .groupBy(payments.method),
    db
      .select({ key: payments.protocol, revenueUsd: revenueSum, payments: succeededCount })
      .from(payments)
      .where(inWindow)
      .groupBy(payments.protocol),
    db.select({ revenueUsd: revenueSum }).from(payments).where(eq(payments.merchantId, merchantId)),
    db
      .select({ n: sql<string>`coalesce(sum(${challengeCounts.count}), 0)::text` })
      .from(challengeCounts)
      .innerJoin(links, eq(challengeCounts.resourceKey, sql`'link:' || ${links.id}`))
      .where(and(eq(links.merchantId, merchantId), gte(challengeCounts.day, since.toISOString().slice(0, 10)))),
  ])

  const t = totals[0]!
  const issued = Number(challenges[0]?.n ?? 0)
  const paid = Number(t.all)
  const byDayMap = new Map(perDay.map((row) => [row.day, row]))
  const byDay: DayRevenue[] = []
  for (let i = 0; i < days; i++) {
    const key = new Date(since.getTime() + i * DAY_MS).toISOString().slice(0, 10)
    const row = byDayMap.get(key)
    byDay.push({ day: key, revenueUsd: normalize(row?.revenueUsd ?? '0'), payments: Number(row?.payments ?? 0) })
  }
  const split = (rows: Array<{ key: string; revenueUsd: string; payments: number }>): Split[] =>
    rows
      .map((row) => ({ key: row.key, payments: Number(row.payments), revenueUsd: normalize(row.revenueUsd) }))
      .sort((a, b) => b.payments - a.payments || a.key.localeCompare(b.key))

  return {
    days,
    since: since.toISOString().slice(0, 10),
    revenueUsd: normalize(t.revenueUsd),
    payments: Number(t.payments),
    refunds: Number(t.refunds),
    refundedUsd: normalize(t.refundedUsd),
    challenges: issued,
    // A payment can follow a 402 issued before the window; never report more than 100%.
    conversion: issued > 0 ? Math.min(1, paid / issued) : null,
    byDay,
    byRail: split(perRail),
    byProtocol: split(perProtocol),
    allTimeRevenueUsd: normalize(allTime[0]?.revenueUsd ?? '0'),
  }
}

function normalize(amount: string): string {
  const [whole, fraction = ''] = String(amount).split('.')
  const trimmed = fraction.replace(/0+$/, '')
  return trimmed ? `${whole}.${trimmed}` : whole!
}
