import { count, desc, eq, getTableColumns } from 'drizzle-orm'
import type { Db } from '@/lib/store/db'
import type { Payment } from '@/lib/store/payments'
import { links, payments } from '@/lib/store/schema'
import type { PaymentFilters } from './filters'
import { paymentsWhere } from './internal/where'

export type PaymentRow = Payment & { linkTitle: string | null; linkSlug: string | null }
export type PaymentPage = { payments: PaymentRow[]; total: number; page: number; pageSize: number; pageCount: number }

export const defaultPageSize = 25

/** One page of a merchant's payments, newest first, with the link each one paid for. */
export async function listPayments(
  db: Db,
  merchantId: string,
  filters: PaymentFilters,
  options: { page?: number; pageSize?: number } = {},
): Promise<PaymentPage> {
  const pageSize = Math.min(Math.max(options.pageSize ?? defaultPageSize, 1), 200)
  const where = paymentsWhere(merchantId, filters)
  const [{ total }] = (await db.select({ total: count() }).from(payments).where(where)) as [{ total: number }]
  const pageCount = Math.max(1, Math.ceil(Number(total) / pageSize))
  const page = Math.min(Math.max(options.page ?? 1, 1), pageCount)
  const rows = await db
    .select({ ...getTableColumns(payments), linkTitle: links.title, linkSlug: links.slug })
    .from(payments)
    .leftJoin(links, eq(links.id, payments.linkId))
    .where(where)
    .orderBy(desc(payments.createdAt), desc(payments.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize)
  return { payments: rows, total: Number(total), page, pageSize, pageCount }
}
