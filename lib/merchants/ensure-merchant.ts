import { getAddress, isAddress } from 'viem'
import type { Db } from '@/lib/store/db'
import * as Merchants from '@/lib/store/merchants'
import { InvalidInputError } from '@/lib/errors/app-error'

/** The merchant for an EVM address, created on first sight. Any letter case names the same merchant. */
export async function ensureMerchant(db: Db, address: string): Promise<Merchants.Merchant> {
  if (typeof address !== 'string' || !isAddress(address, { strict: false }))
    throw new InvalidInputError([{ path: 'address', message: 'address must be an EVM address (0x followed by 40 hex digits)' }])
  return Merchants.insertOrGet(db, getAddress(address))
}
