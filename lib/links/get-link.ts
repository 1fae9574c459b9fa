import type { Db } from '@/lib/store/db'
import * as Links from '@/lib/store/links'
import { NotFoundError } from './errors'

/** A merchant's own link by id; anyone else's (or none) is NotFoundError. */
export async function getLink(db: Db, merchantId: string, linkId: string): Promise<Links.Link> {
  const link = typeof linkId === 'string' ? await Links.getForMerchant(db, merchantId, linkId) : null
  if (!link) throw new NotFoundError('link')
  return link
}
