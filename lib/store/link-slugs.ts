// A slug, once used by a merchant's link, is that merchant's for good: shared URLs and printed QR codes
// must never lead to someone else's link. The primary key on link_slugs.slug makes the claim atomic
// across instances (a second merchant's insert waits for the first's commit, then sees the slug taken).
import { eq, sql } from 'drizzle-orm'
import type { Db } from './db'
import { linkSlugs, links } from './schema'

/**
 * Points `slug` at `linkId` for its merchant, inside the transaction that gives the link that slug.
 * False when the slug is, or was, another merchant's.
 */
export async function claim(tx: Db, parameters: { slug: string; merchantId: string; linkId: string }): Promise<boolean> {
  const rows = await tx
    .insert(linkSlugs)
    .values(parameters)
    .onConflictDoUpdate({
      target: linkSlugs.slug,
      set: { linkId: parameters.linkId },
      setWhere: sql`${linkSlugs.merchantId} = ${parameters.merchantId}`,
    })
    .returning({ slug: linkSlugs.slug })
  return rows.length === 1
}

/** Where a slug that no live link has leads: the current slug of the link renamed from it, or nowhere (deleted). */
export type RetiredSlug = { kind: 'renamed'; slug: string } | { kind: 'deleted' }

export async function findRetired(db: Db, slug: string): Promise<RetiredSlug | null> {
  const rows = await db
    .select({ current: links.slug })
    .from(linkSlugs)
    .leftJoin(links, eq(links.id, linkSlugs.linkId))
    .where(eq(linkSlugs.slug, slug))
    .limit(1)
  const row = rows[0]
  if (!row) return null
  return row.current && row.current !== slug ? { kind: 'renamed', slug: row.current } : { kind: 'deleted' }
}
