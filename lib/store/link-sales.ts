// The sales cap of a link (maxPayments), kept in links.sales_reserved: every sale takes a slot before
// money moves. Crypto and agent payments take one for the length of their request; a checkout's card
// PaymentIntent holds one (card_sale_holds) until it is paid, canceled, or expires unpaid; one client
// keeps only a few holds of a link open, and a hold is short until the payer is seen confirming. Every
// change of a slot's state is one conditional statement, so each happens once across instances and retries.
import { and, asc, eq, gt, isNotNull, isNull, lte, min, ne, sql } from 'drizzle-orm'
import type { Db } from './db'
import { cardSaleHolds, links } from './schema'

export type CardSaleHold = typeof cardSaleHolds.$inferSelect

/** Which hold: the checkout's PaymentIntent, or (before the intent exists) its challenge and link. */
export type HoldKey = { paymentIntentId: string } | { linkId: string; challengeId: string }

/**
 * Takes one slot of a link: of concurrent buyers of the last slot, exactly one wins (a row-level
 * update). When none is free, this link's expired card holds are released first and it tries again.
 */
export async function takeSlot(db: Db, linkId: string, now: Date = new Date()): Promise<boolean> {
  if (await incrementIfFree(db, linkId)) return true
  return (await releaseExpired(db, now, linkId)) > 0 && (await incrementIfFree(db, linkId))
}

/** Gives back a slot whose payment did not happen, or whose payment was refunded. */
export async function giveBackSlot(db: Db, linkId: string): Promise<void> {
  await db
    .update(links)
    .set({ salesReserved: sql`GREATEST(${links.salesReserved} - 1, 0)` })
    .where(eq(links.id, linkId))
}

export type HoldOutcome =
  /** This call took a slot (a new hold, or one released before and taken again). */
  | 'taken'
  /** The challenge's intent already holds (or has bought) its slot. */
  | 'held'
  | 'sold-out'
  /** This client already keeps `maxOpen` unpaid holds of the link open: nothing was taken. */
  | 'client-limit'

class SoldOut extends Error {}
class ClientLimit extends Error {}

/** Who asks for a hold (a digest of their client key) and how many unpaid holds of one link they may keep open. */
export type HoldClient = { key: string; maxOpen: number }

/**
 * Holds a slot for the checkout PaymentIntent of one challenge, until `expiresAt` unless it is paid or
 * confirmed (confirmHold). Idempotent per challenge and link.
 */
export async function holdForCard(
  db: Db,
  parameters: { linkId: string; challengeId: string; expiresAt: Date; now?: Date; client?: HoldClient },
): Promise<HoldOutcome> {
  const { linkId, challengeId, expiresAt, now = new Date(), client } = parameters
  // Counted after the slot is taken: that update locks the link's row, so one client's concurrent asks queue here.
  const overClientLimit = async (tx: Db) => {
    if (!client) return false
    const [row] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(cardSaleHolds)
      .where(
        and(
          eq(cardSaleHolds.linkId, linkId),
          eq(cardSaleHolds.clientKey, client.key),
          eq(cardSaleHolds.status, 'held'),
          gt(cardSaleHolds.expiresAt, now),
          ne(cardSaleHolds.challengeId, challengeId),
        ),
      )
    return Number(row?.n ?? 0) >= client.maxOpen
  }
  // Free expired holds outside the transaction below: the hold and its slot are taken together or not at all.
  if (!(await hasFreeSlot(db, linkId))) await releaseExpired(db, now, linkId)
  try {
    return await db.transaction(async (tx) => {
      const inserted = await tx
        .insert(cardSaleHolds)
        .values({ linkId, challengeId, status: 'held', expiresAt, clientKey: client?.key ?? null })
        .onConflictDoNothing()
        .returning({ linkId: cardSaleHolds.linkId })
      if (inserted.length === 1) {
        if (!(await incrementIfFree(tx, linkId))) throw new SoldOut()
        if (await overClientLimit(tx)) throw new ClientLimit()
        return 'taken'
      }
      const [existing] = await tx.select().from(cardSaleHolds).where(holdWhere({ linkId, challengeId })).for('update')
      if (!existing) throw new Error('card sale hold vanished while being read')
      if (existing.status !== 'released') return 'held'
      if (!(await incrementIfFree(tx, linkId))) return 'sold-out'
      if (await overClientLimit(tx)) throw new ClientLimit()
      await tx
        .update(cardSaleHolds)
        .set({ status: 'held', expiresAt, clientKey: client?.key ?? existing.clientKey, confirmedAt: null, updatedAt: sql`now()` })
        .where(holdWhere({ linkId, challengeId }))
      return 'taken'
    })
  } catch (error) {
    // Rolled back: the new hold row goes with the slot it could not take (or was not allowed to).
    if (error instanceof SoldOut) return 'sold-out'
    if (error instanceof ClientLimit) return 'client-limit'
    throw error
  }
}

/** When the first of a client's open holds of a link lapses (when it may ask again), or null when it holds none. */
export async function nextClientHoldExpiry(db: Db, parameters: { linkId: string; clientKey: string; now?: Date }): Promise<Date | null> {
  const [row] = await db
    .select({ at: min(cardSaleHolds.expiresAt) })
    .from(cardSaleHolds)
    .where(
      and(
        eq(cardSaleHolds.linkId, parameters.linkId),
        eq(cardSaleHolds.clientKey, parameters.clientKey),
        eq(cardSaleHolds.status, 'held'),
        gt(cardSaleHolds.expiresAt, parameters.now ?? new Date()),
      ),
    )
  return row?.at ?? null
}

/** How long an unpaid hold lasts once its payer is seen confirming (3-D Secure, a slow bank, another card). */
export const confirmedHoldSeconds = 15 * 60

/**
 * The payer of this intent is confirming (Stripe showed 3-D Secure, processing or a card attempt): its
 * unpaid hold now lasts at least confirmedHoldSeconds more. False when the intent holds nothing (paid, released, none).
 */
export async function confirmHold(db: Db, parameters: { paymentIntentId: string; now?: Date }): Promise<boolean> {
  const now = parameters.now ?? new Date()
  const until = new Date(now.getTime() + confirmedHoldSeconds * 1000)
  const rows = await db
    .update(cardSaleHolds)
    .set({
      confirmedAt: sql`COALESCE(${cardSaleHolds.confirmedAt}, ${now.toISOString()}::timestamptz)`,
      expiresAt: sql`GREATEST(${cardSaleHolds.expiresAt}, ${until.toISOString()}::timestamptz)`,
      updatedAt: sql`now()`,
    })
    .where(and(eq(cardSaleHolds.paymentIntentId, parameters.paymentIntentId), eq(cardSaleHolds.status, 'held')))
    .returning({ linkId: cardSaleHolds.linkId })
  return rows.length > 0
}

/** Unpaid holds not seen confirming whose short hold lapses by `before`: the ones to ask Stripe about first. */
export async function lapsingUnconfirmed(db: Db, parameters: { before: Date; limit: number }): Promise<CardSaleHold[]> {
  return db
    .select()
    .from(cardSaleHolds)
    .where(
      and(
        eq(cardSaleHolds.status, 'held'),
        isNull(cardSaleHolds.confirmedAt),
        isNotNull(cardSaleHolds.paymentIntentId),
        lte(cardSaleHolds.expiresAt, parameters.before),
      ),
    )
    .orderBy(asc(cardSaleHolds.expiresAt))
    .limit(parameters.limit)
}

/** Names the PaymentIntent a challenge's hold is for, once it exists. */
export async function attachPaymentIntent(
  db: Db,
  parameters: { linkId: string; challengeId: string; paymentIntentId: string },
): Promise<void> {
  await db
    .update(cardSaleHolds)
    .set({ paymentIntentId: parameters.paymentIntentId, updatedAt: sql`now()` })
    .where(and(holdWhere(parameters), sql`${cardSaleHolds.paymentIntentId} IS NULL`))
}

export type SellOutcome =
  /** The hold became the sale; its slot was already counted. */
  | 'sold'
  /** The hold had been released (expired or canceled) before the money moved: the sale is counted now, past the cap if need be. */
  | 'sold-after-release'
  /** Already sold, or no hold (an uncapped link, a route, an intent made before holds existed). */
  | 'unchanged'

/**
 * The checkout PaymentIntent of this challenge succeeded: its hold becomes the sale, exactly once
 * whichever path (credential or webhook) gets here first. A payment is never refused here: the money moved.
 */
export async function sellHold(db: Db, parameters: { linkId: string; challengeId: string; paymentIntentId: string }): Promise<SellOutcome> {
  const { linkId, challengeId, paymentIntentId } = parameters
  return db.transaction(async (tx) => {
    const [hold] = await tx
      .select()
      .from(cardSaleHolds)
      .where(
        and(
          holdWhere({ linkId, challengeId }),
          sql`(${cardSaleHolds.paymentIntentId} IS NULL OR ${cardSaleHolds.paymentIntentId} = ${paymentIntentId})`,
        ),
      )
      .for('update')
    if (!hold || hold.status === 'sold') return 'unchanged'
    await tx
      .update(cardSaleHolds)
      .set({ status: 'sold', paymentIntentId, updatedAt: sql`now()` })
      .where(holdWhere({ linkId, challengeId }))
    if (hold.status === 'held') return 'sold'
    await tx
      .update(links)
      .set({ salesReserved: sql`${links.salesReserved} + 1` })
      .where(eq(links.id, linkId))
    return 'sold-after-release'
  })
}

/** Gives an unpaid hold's slot back (its intent was canceled or could not be created); false when it was not held. */
export async function releaseHold(db: Db, key: HoldKey): Promise<boolean> {
  const where =
    'paymentIntentId' in key
      ? sql`payment_intent_id = ${key.paymentIntentId}`
      : sql`link_id = ${key.linkId} AND challenge_id = ${key.challengeId}`
  const result = (await db.execute(sql`
    WITH released AS (
      UPDATE card_sale_holds SET status = 'released', updated_at = now() WHERE ${where} AND status = 'held' RETURNING link_id
    )
    UPDATE links SET sales_reserved = GREATEST(links.sales_reserved - 1, 0) FROM released WHERE links.id = released.link_id RETURNING links.id
  `)) as unknown as { rows: unknown[] }
  return result.rows.length > 0
}

/** Releases every hold (of one link, or all) that expired unpaid by `now`; returns how many slots came back. */
export async function releaseExpired(db: Db, now: Date = new Date(), linkId?: string): Promise<number> {
  const ofLink = linkId === undefined ? sql`` : sql`AND link_id = ${linkId}`
  const result = (await db.execute(sql`
    WITH released AS (
      UPDATE card_sale_holds SET status = 'released', updated_at = now()
      WHERE status = 'held' AND expires_at <= ${now.toISOString()}::timestamptz ${ofLink}
      RETURNING link_id
    ), per_link AS (
      SELECT link_id, count(*)::int AS n FROM released GROUP BY link_id
    )
    UPDATE links SET sales_reserved = GREATEST(links.sales_reserved - per_link.n, 0) FROM per_link WHERE links.id = per_link.link_id RETURNING per_link.n
  `)) as unknown as { rows: Array<{ n: number | string }> }
  return result.rows.reduce((sum, row) => sum + Number(row.n), 0)
}

export async function getHold(db: Db, key: { linkId: string; challengeId: string }): Promise<CardSaleHold | null> {
  const rows = await db.select().from(cardSaleHolds).where(holdWhere(key)).limit(1)
  return rows[0] ?? null
}

function holdWhere({ linkId, challengeId }: { linkId: string; challengeId: string }) {
  return and(eq(cardSaleHolds.linkId, linkId), eq(cardSaleHolds.challengeId, challengeId))
}

async function incrementIfFree(db: Db, linkId: string): Promise<boolean> {
  const rows = await db
    .update(links)
    .set({ salesReserved: sql`${links.salesReserved} + 1` })
    .where(and(eq(links.id, linkId), sql`(${links.maxPayments} IS NULL OR ${links.salesReserved} < ${links.maxPayments})`))
    .returning({ id: links.id })
  return rows.length === 1
}

async function hasFreeSlot(db: Db, linkId: string): Promise<boolean> {
  const rows = await db
    .select({ id: links.id })
    .from(links)
    .where(and(eq(links.id, linkId), sql`(${links.maxPayments} IS NULL OR ${links.salesReserved} < ${links.maxPayments})`))
  return rows.length === 1
}
