import type { Db } from '@/lib/store/db'
import * as LinkSlugs from '@/lib/store/link-slugs'
import * as Links from '@/lib/store/links'

/** The link a public URL names, or null. Slugs are lower case, so "/l/Demo" finds "demo". */
export async function getLinkBySlug(db: Db, slug: string): Promise<Links.Link | null> {
  // Anything no slug can look like is answered without a query.
  if (typeof slug !== 'string' || !/^[A-Za-z0-9-]{3,64}$/.test(slug)) return null
  return Links.getBySlug(db, slug.toLowerCase())
}

/** For a slug no live link has: the current slug of the link renamed from it, deleted, or null (never used). */
export async function findRetiredSlug(db: Db, slug: string): Promise<LinkSlugs.RetiredSlug | null> {
  if (typeof slug !== 'string' || !/^[A-Za-z0-9-]{3,64}$/.test(slug)) return null
  return LinkSlugs.findRetired(db, slug.toLowerCase())
}
