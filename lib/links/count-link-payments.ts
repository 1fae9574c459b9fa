import type { Db } from '@/lib/store/db'
import * as Links from '@/lib/store/links'

/** Succeeded payments of a link (refunded ones free their slot): the number maxPayments limits. */
export async function countLinkPayments(db: Db, linkId: string): Promise<number> {
  return Links.countSucceededPayments(db, linkId)
}
