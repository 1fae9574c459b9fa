// What the gate calls when it records a payment (and refunds call for payment.refunded).
import { and, eq } from 'drizzle-orm'
import type { Db } from '@/lib/store/db'
import type { Payment } from '@/lib/store/payments'
import { merchants, webhookDeliveries, webhookEvents, type WebhookEventType } from '@/lib/store/schema'
import { newDeliveryId } from './deliveries'
import { newEventId, paymentEvent } from './events'
import { kickWebhookWorker } from './worker'

export type EnqueuedEvent = { eventId: string; deliveryId: string }

/**
 * Queues `type` for the payment's merchant when they have an endpoint, at most once per payment
 * and type (safe to call again, e.g. from a retried request). Delivery happens in the background
 * with retries; this only writes two rows. Returns null when there is nothing to send.
 */
export async function enqueuePaymentEvent(
  db: Db,
  payment: Payment,
  type: WebhookEventType = 'payment.succeeded',
): Promise<EnqueuedEvent | null> {
  if (!payment.merchantId) return null
  const merchant = await db.select({ url: merchants.webhookUrl }).from(merchants).where(eq(merchants.id, payment.merchantId)).limit(1)
  const url = merchant[0]?.url
  if (!url) return null

  const eventId = newEventId()
  const payload = JSON.stringify(paymentEvent(eventId, type, payment))
  const inserted = await db
    .insert(webhookEvents)
    .values({ id: eventId, merchantId: payment.merchantId, type, paymentId: payment.id, payload })
    .onConflictDoNothing()
    .returning({ id: webhookEvents.id })
  if (!inserted[0]) {
    const existing = await db
      .select({ eventId: webhookEvents.id, deliveryId: webhookDeliveries.id })
      .from(webhookEvents)
      .leftJoin(webhookDeliveries, eq(webhookDeliveries.eventId, webhookEvents.id))
      .where(and(eq(webhookEvents.paymentId, payment.id), eq(webhookEvents.type, type)))
      .limit(1)
    return existing[0]?.deliveryId ? { eventId: existing[0].eventId, deliveryId: existing[0].deliveryId } : null
  }
  const deliveryId = newDeliveryId()
  await db.insert(webhookDeliveries).values({ id: deliveryId, eventId, merchantId: payment.merchantId, url, nextAttemptAt: new Date() })
  kickWebhookWorker(db)
  return { eventId, deliveryId }
}
