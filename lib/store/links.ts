// Link rows and the per-link payment figures the dashboard and the max-payments check need.
import { randomBytes } from 'node:crypto'
import { and, desc, eq, getTableColumns, isNotNull, sql } from 'drizzle-orm'
import type { Db } from './db'
import * as LinkSales from './link-sales'
import * as LinkSlugs from './link-slugs'
import { links, payments } from './schema'
import * as UpstreamSecrets from './upstream-secrets'

export type Link = typeof links.$inferSelect
export type NewLink = typeof links.$inferInsert
export type LinkWithStats = Link & { paymentsCount: number; revenueUsd: string }

/** Random and prefixed: a link id reveals nothing and says what it names. */
export function newLinkId(): string {
  return `lnk_${randomBytes(16).toString('base64url')}`
}

/** A slug that is, or was, another merchant's link's (see link-slugs.ts). */
export class SlugUnavailableError extends Error {
  override name = 'SlugUnavailableError'
  constructor(readonly slug: string) {
    super(`the slug "${slug}" belongs to another merchant`)
  }
}

export type SaveLinkExtras = {
  /** A service link's sealed upstream API key, stored with the link (sealed for its id); null removes it. */
  upstreamSecret?: string | null
}

/** Inserts the link; null when its slug is taken by a live link or belongs to another merchant. */
export async function insert(db: Db, values: NewLink, extras: SaveLinkExtras = {}): Promise<Link | null> {
  try {
    return await db.transaction(async (tx) => {
      const rows = await tx.insert(links).values(values).onConflictDoNothing({ target: links.slug }).returning()
      const link = rows[0]
      if (!link) return null
      if (!(await LinkSlugs.claim(tx, { slug: link.slug, merchantId: link.merchantId, linkId: link.id })))
        throw new SlugUnavailableError(link.slug)
      if (extras.upstreamSecret) await UpstreamSecrets.put(tx, link.id, extras.upstreamSecret)
      return link
    })
  } catch (error) {
    if (error instanceof SlugUnavailableError) return null
    throw error
  }
}

export async function getById(db: Db, id: string): Promise<Link | null> {
  const rows = await db.select().from(links).where(eq(links.id, id)).limit(1)
  return rows[0] ?? null
}

/** The slug lookup of every paid link request, built once per database handle (building it cost more than running it). */
const bySlug = new WeakMap<Db, ReturnType<typeof prepareBySlug>>()

function prepareBySlug(db: Db) {
  return db
    .select()
    .from(links)
    .where(eq(links.slug, sql.placeholder('slug')))
    .limit(1)
    .prepare('links_by_slug')
}

export async function getBySlug(db: Db, slug: string): Promise<Link | null> {
  let query = bySlug.get(db)
  if (!query) bySlug.set(db, (query = prepareBySlug(db)))
  const rows = await query.execute({ slug })
  return rows[0] ?? null
}

/** The link only when it belongs to this merchant. */
export async function getForMerchant(db: Db, merchantId: string, id: string): Promise<Link | null> {
  const rows = await db
    .select()
    .from(links)
    .where(and(eq(links.id, id), eq(links.merchantId, merchantId)))
    .limit(1)
  return rows[0] ?? null
}

/**
 * Updates a merchant's link; null when no such link is theirs. A new slug that a live link has throws a
 * unique violation (see isUniqueViolation), one that is another merchant's throws SlugUnavailableError.
 */
export async function update(
  db: Db,
  merchantId: string,
  id: string,
  values: Partial<Omit<NewLink, 'id' | 'merchantId' | 'createdAt' | 'salesReserved'>>,
  extras: SaveLinkExtras = {},
): Promise<Link | null> {
  const apply = async (tx: Db) => {
    const rows = await tx
      .update(links)
      .set({ ...values, ...(values.maxPayments != null ? { salesReserved: salesWhenCapped } : {}), updatedAt: sql`now()` })
      .where(and(eq(links.id, id), eq(links.merchantId, merchantId)))
      .returning()
    const link = rows[0] ?? null
    // The old slug stays this merchant's (its row keeps pointing here); the new one must be free to claim.
    if (link && values.slug !== undefined && !(await LinkSlugs.claim(tx, { slug: link.slug, merchantId, linkId: link.id })))
      throw new SlugUnavailableError(link.slug)
    if (link && extras.upstreamSecret) await UpstreamSecrets.put(tx, link.id, extras.upstreamSecret)
    else if (link && extras.upstreamSecret === null) await UpstreamSecrets.remove(tx, link.id)
    return link
  }
  return values.slug === undefined && extras.upstreamSecret === undefined ? apply(db) : db.transaction(apply)
}

// An uncapped link counts no slots: when it gets a cap, its succeeded payments and unpaid card holds
// are what the cap starts from (a link already capped keeps its count, in-flight sales included).
const salesWhenCapped = sql`CASE WHEN ${links.maxPayments} IS NULL THEN (
  (SELECT count(*) FROM payments p WHERE p.link_id = ${links.id} AND p.status = 'succeeded')
  + (SELECT count(*) FROM card_sale_holds h WHERE h.link_id = ${links.id} AND h.status = 'held')
)::int ELSE ${links.salesReserved} END`

/** The links sold as MCP tools, newest first (deactivated and expired ones too: the caller decides what to list). */
export async function listToolLinks(db: Db, limit: number): Promise<Link[]> {
  return db.select().from(links).where(isNotNull(links.mcpTool)).orderBy(desc(links.createdAt)).limit(limit)
}

/** Deletes a merchant's link only when no payment references it, in one statement. */
export async function removeUnpaid(db: Db, merchantId: string, id: string): Promise<'deleted' | 'not_found' | 'has_payments'> {
  try {
    const rows = await db
      .delete(links)
      .where(
        and(
          eq(links.id, id),
          eq(links.merchantId, merchantId),
          sql`NOT EXISTS (SELECT 1 FROM ${payments} WHERE ${payments.linkId} = ${links.id})`,
        ),
      )
      .returning({ id: links.id })
    if (rows.length === 1) return 'deleted'
  } catch (error) {
    // A payment recorded between the check and the delete: the foreign key refuses it.
    if (pgErrorCode(error) === '23503') return 'has_payments'
    throw error
  }
  return (await getForMerchant(db, merchantId, id)) ? 'has_payments' : 'not_found'
}

/** Succeeded payments of a link: what the max-payments limit counts. Refunds free their slot. */
export async function countSucceededPayments(db: Db, linkId: string): Promise<number> {
  const rows = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(payments)
    .where(and(eq(payments.linkId, linkId), eq(payments.status, 'succeeded')))
  return rows[0]?.n ?? 0
}

/** Any payment of a link, whatever its status: a link with history is not deleted. */
export async function countAllPayments(db: Db, linkId: string): Promise<number> {
  const rows = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(payments)
    .where(eq(payments.linkId, linkId))
  return rows[0]?.n ?? 0
}

// Revenue is summed as SQL numeric (exact decimal); a malformed amount is skipped, not a crash.
const succeeded = sql`${payments.status} = 'succeeded'`
const revenue = sql<string>`coalesce(sum(CASE WHEN ${payments.amountUsd} ~ '^[0-9]+(\\.[0-9]+)?$' THEN ${payments.amountUsd}::numeric END) FILTER (WHERE ${succeeded}), 0)::text`

/** A merchant's links, newest first, each with its succeeded-payments count and revenue (decimal USD text). */
export async function listForMerchantWithStats(db: Db, merchantId: string): Promise<LinkWithStats[]> {
  const rows = await db
    .select({
      ...getTableColumns(links),
      paymentsCount: sql<number>`(count(${payments.id}) FILTER (WHERE ${succeeded}))::int`,
      revenueUsd: revenue,
    })
    .from(links)
    .leftJoin(payments, eq(payments.linkId, links.id))
    .where(eq(links.merchantId, merchantId))
    .groupBy(links.id)
    .orderBy(desc(links.createdAt), desc(links.id))
  return rows.map((row) => ({ ...row, paymentsCount: Number(row.paymentsCount), revenueUsd: trimDecimal(String(row.revenueUsd)) }))
}

/** True when the error (or its cause) is PostgreSQL's unique_violation, optionally of one constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, constraint: name } = e as { code?: unknown; constraint?: unknown }
    if (code === '23505') return constraint === undefined || name === constraint
  }
  return false
}

export const slugConstraint = 'links_slug_key'
/** One MCP tool name per server (migration 0011). */
export const toolNameConstraint = 'links_mcp_tool_name_idx'

function pgErrorCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code
  }
  return undefined
}

function trimDecimal(amount: string): string {
  if (!amount.includes('.')) return amount
  return amount.replace(/0+$/, '').replace(/\.$/, '')
}

/**
 * Takes one of a capped link's sales before money moves: of concurrent buyers of the last slot,
 * exactly one wins (a row-level update; card holds that expired unpaid are released first). Uncapped links always succeed.
 */
export async function reserveSale(db: Db, linkId: string): Promise<boolean> {
  return LinkSales.takeSlot(db, linkId)
}

/** Gives back a reservation whose payment did not happen. */
export async function releaseSale(db: Db, linkId: string): Promise<void> {
  await LinkSales.giveBackSlot(db, linkId)
}
