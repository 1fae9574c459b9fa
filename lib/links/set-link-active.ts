import type { Db } from '@/lib/store/db'
import * as Links from '@/lib/store/links'
import { InvalidInputError, NotFoundError } from './errors'

/** Turns a merchant's link on or off; an inactive link answers 410 and takes no payments. */
export async function setLinkActive(db: Db, merchantId: string, linkId: string, active: boolean): Promise<Links.Link> {
  if (typeof active !== 'boolean') throw new InvalidInputError([{ path: 'active', message: 'active must be true or false' }])
  const link = await Links.update(db, merchantId, linkId, { active })
  if (!link) throw new NotFoundError('link')
  return link
}
