import type { Db } from '@/lib/store/db'
import * as Links from '@/lib/store/links'

/** The link a public URL names, or null. Slugs are lower case, so "/l/Demo" finds "demo". */
export async function getLinkBySlug(db: Db, slug: string): Promise<Links.Link | null> {
  // Anything no slug can look like is answered without a query.
  if (typeof slug !== 'string' || !/^[A-Za-z0-9-]{3,64}$/.test(slug)) return null
  return Links.getBySlug(db, slug.toLowerCase())
}
