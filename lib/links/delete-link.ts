import type { Db } from '@/lib/store/db'
import * as Links from '@/lib/store/links'
import { LinkHasPaymentsError, NotFoundError } from './errors'

/** Deletes a merchant's link that was never paid; a paid link keeps its history (deactivate it instead). */
export async function deleteLink(db: Db, merchantId: string, linkId: string): Promise<void> {
  const outcome = await Links.removeUnpaid(db, merchantId, linkId)
  if (outcome === 'not_found') throw new NotFoundError('link')
  if (outcome === 'has_payments') throw new LinkHasPaymentsError()
}
