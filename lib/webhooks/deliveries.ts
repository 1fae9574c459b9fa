// The delivery log a merchant sees, and "resend".
import { randomBytes } from 'node:crypto'
import { and, count, desc, eq, getTableColumns } from 'drizzle-orm'
import type { Db } from '@/lib/store/db'
import { merchants, webhookDeliveries, webhookEvents } from '@/lib/store/schema'
import { DeliveryNotFoundError, NoEndpointError } from './errors'
import { kickWebhookWorker } from './worker'

export type Delivery = typeof webhookDeliveries.$inferSelect
export type DeliveryRow = Delivery & { eventType: string; paymentId: string | null }
export type DeliveryPage = { deliveries: DeliveryRow[]; total: number; page: number; pageCount: number }

export function newDeliveryId(): string {
  return `whd_${randomBytes(16).toString('base64url')}`
}

const rowColumns = { ...getTableColumns(webhookDeliveries), eventType: webhookEvents.type, paymentId: webhookEvents.paymentId }

export async function listDeliveries(
  db: Db,
  merchantId: string,
  options: { page?: number; pageSize?: number } = {},
): Promise<DeliveryPage> {
  const pageSize = Math.min(Math.max(options.pageSize ?? 20, 1), 100)
  const [{ total }] = (await db.select({ total: count() }).from(webhookDeliveries).where(eq(webhookDeliveries.merchantId, merchantId))) as [
    { total: number },
  ]
  const pageCount = Math.max(1, Math.ceil(Number(total) / pageSize))
  const page = Math.min(Math.max(options.page ?? 1, 1), pageCount)
  const deliveries = await db
    .select(rowColumns)
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(eq(webhookDeliveries.merchantId, merchantId))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize)
  return { deliveries, total: Number(total), page, pageCount }
}

export async function getDelivery(db: Db, merchantId: string, deliveryId: string): Promise<DeliveryRow> {
  if (typeof deliveryId !== 'string' || !/^whd_[A-Za-z0-9_-]{1,64}$/.test(deliveryId)) throw new DeliveryNotFoundError()
  const rows = await db
    .select(rowColumns)
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.merchantId, merchantId)))
    .limit(1)
  if (!rows[0]) throw new DeliveryNotFoundError()
  return rows[0]
}

/** Sends a delivery's event again, now, to the merchant's current endpoint, as a new delivery. */
export async function resendDelivery(db: Db, merchantId: string, deliveryId: string): Promise<DeliveryRow> {
  const original = await getDelivery(db, merchantId, deliveryId)
  const merchant = await db.select({ url: merchants.webhookUrl }).from(merchants).where(eq(merchants.id, merchantId)).limit(1)
  const url = merchant[0]?.url
  if (!url) throw new NoEndpointError()
  const id = newDeliveryId()
  await db.insert(webhookDeliveries).values({ id, eventId: original.eventId, merchantId, url, nextAttemptAt: new Date() })
  kickWebhookWorker(db)
  return getDelivery(db, merchantId, id)
}
