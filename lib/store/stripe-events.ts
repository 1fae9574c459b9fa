import { eq } from 'drizzle-orm'
import type { Db } from './db'
import { stripeEvents } from './schema'

/** Records a webhook event id; false when it was already recorded (a redelivery). */
export async function recordEventOnce(db: Db, eventId: string, type: string): Promise<boolean> {
  const rows = await db.insert(stripeEvents).values({ eventId, type }).onConflictDoNothing().returning({ eventId: stripeEvents.eventId })
  return rows.length === 1
}

export async function forgetEvent(db: Db, eventId: string): Promise<void> {
  await db.delete(stripeEvents).where(eq(stripeEvents.eventId, eventId))
}
