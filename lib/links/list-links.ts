import type { Db } from '@/lib/store/db'
import * as Links from '@/lib/store/links'

export type LinkWithStats = Links.LinkWithStats

/** A merchant's links, newest first, with succeeded-payment count and exact revenue ("12.5") each. */
export async function listLinks(db: Db, merchantId: string): Promise<LinkWithStats[]> {
  return Links.listForMerchantWithStats(db, merchantId)
}
