import { and, eq, gte, lt, type SQL } from 'drizzle-orm'
import { payments } from '@/lib/store/schema'
import type { PaymentFilters } from '../filters'

/** The WHERE clause of a merchant's filtered payments: the merchant condition is always there. */
export function paymentsWhere(merchantId: string, filters: PaymentFilters): SQL {
  const conditions: SQL[] = [eq(payments.merchantId, merchantId)]
  if (filters.linkId) conditions.push(eq(payments.linkId, filters.linkId))
  if (filters.rail) conditions.push(eq(payments.method, filters.rail))
  if (filters.protocol) conditions.push(eq(payments.protocol, filters.protocol))
  if (filters.status) conditions.push(eq(payments.status, filters.status))
  if (filters.from) conditions.push(gte(payments.createdAt, new Date(`${filters.from}T00:00:00Z`)))
  if (filters.to) conditions.push(lt(payments.createdAt, new Date(new Date(`${filters.to}T00:00:00Z`).getTime() + 86_400_000)))
  return and(...conditions)!
}
