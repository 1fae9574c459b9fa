import { and, eq, getTableColumns } from 'drizzle-orm'
import type { Db } from '@/lib/store/db'
import { links, payments } from '@/lib/store/schema'
import { PaymentNotFoundError } from './errors'
import type { PaymentRow } from './list-payments'

/** A merchant's own payment by id; anyone else's (or none) is PaymentNotFoundError. */
export async function getPayment(db: Db, merchantId: string, paymentId: string): Promise<PaymentRow> {
  if (typeof paymentId !== 'string' || !/^pay_[A-Za-z0-9_-]{1,64}$/.test(paymentId)) throw new PaymentNotFoundError()
  const rows = await db
    .select({ ...getTableColumns(payments), linkTitle: links.title, linkSlug: links.slug })
    .from(payments)
    .leftJoin(links, eq(links.id, payments.linkId))
    .where(and(eq(payments.id, paymentId), eq(payments.merchantId, merchantId)))
    .limit(1)
  if (!rows[0]) throw new PaymentNotFoundError()
  return rows[0]
}
