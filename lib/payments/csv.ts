// CSV export of a merchant's filtered payments (RFC 4180), streamed in keyset-paginated batches.
import { and, desc, eq, getTableColumns, lt, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '@/lib/store/db'
import { links, payments } from '@/lib/store/schema'
import type { PaymentFilters } from './filters'
import { paymentsWhere } from './internal/where'
import type { PaymentRow } from './list-payments'

const BATCH_SIZE = 500
// Ordered and paged at millisecond precision, which a JS Date cursor holds exactly (the column keeps microseconds).
const createdMs = sql`date_trunc('milliseconds', ${payments.createdAt})`

export const csvColumns = [
  'id',
  'created_at',
  'link_id',
  'link_title',
  'amount_usd',
  'rail',
  'protocol',
  'status',
  'payer',
  'reference',
  'amount_base_units',
  'currency',
  'challenge_id',
  'refunded_at',
] as const

/**
 * One CSV cell. Quoted when it holds a comma, quote or line break; a cell a spreadsheet would run
 * as a formula (= + - @, or a tab/CR lead) gets a leading apostrophe so it stays text.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return ''
  let text = String(value)
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export function csvRow(payment: PaymentRow): string {
  return [
    payment.id,
    payment.createdAt.toISOString(),
    payment.linkId,
    payment.linkTitle,
    payment.amountUsd,
    payment.method,
    payment.protocol,
    payment.status,
    payment.payer,
    payment.reference,
    payment.amount,
    payment.currency,
    payment.challengeId,
    payment.refundedAt?.toISOString() ?? null,
  ]
    .map(csvCell)
    .join(',')
}

/** Every payment matching the filters, newest first, as CSV lines (header first), batch by batch. */
export async function* paymentsCsv(db: Db, merchantId: string, filters: PaymentFilters): AsyncGenerator<string> {
  yield `${csvColumns.join(',')}\r\n`
  const where = paymentsWhere(merchantId, filters)
  let after: { createdAt: Date; id: string } | null = null
  for (;;) {
    const cursor: SQL | undefined = after
      ? or(
          sql`${createdMs} < ${after.createdAt.toISOString()}::timestamptz`,
          and(sql`${createdMs} = ${after.createdAt.toISOString()}::timestamptz`, lt(payments.id, after.id)),
        )
      : undefined
    const rows: PaymentRow[] = await db
      .select({ ...getTableColumns(payments), linkTitle: links.title, linkSlug: links.slug })
      .from(payments)
      .leftJoin(links, eq(links.id, payments.linkId))
      .where(cursor ? and(where, cursor) : where)
      .orderBy(desc(createdMs), desc(payments.id))
      .limit(BATCH_SIZE)
    if (rows.length === 0) return
    yield rows.map((row) => `${csvRow(row)}\r\n`).join('')
    if (rows.length < BATCH_SIZE) return
    const last = rows[rows.length - 1]!
    after = { createdAt: last.createdAt, id: last.id }
  }
}

/** The CSV as a byte stream for a Response body. */
export function paymentsCsvStream(db: Db, merchantId: string, filters: PaymentFilters): ReadableStream<Uint8Array> {
  const lines = paymentsCsv(db, merchantId, filters)
  const encoder = new TextEncoder()
  return new ReadableStream({
    async pull(controller) {
      const next = await lines.next()
      if (next.done) controller.close()
      else controller.enqueue(encoder.encode(next.value))
    },
    async cancel() {
      await lines.return(undefined)
    },
  })
}
