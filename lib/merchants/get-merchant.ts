import type { Db } from '@/lib/store/db'
import * as Merchants from '@/lib/store/merchants'

/** The merchant with this id, or null. */
export async function getMerchant(db: Db, id: string): Promise<Merchants.Merchant | null> {
  if (typeof id !== 'string' || id.length === 0) return null
  return Merchants.getById(db, id)
}
