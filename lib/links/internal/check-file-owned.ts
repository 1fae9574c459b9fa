import type { Db } from '@/lib/store/db'
import * as Files from '@/lib/store/files'
import type { LinkResource } from '@/lib/store/schema'
import { NotFoundError } from '../errors'

/** A file resource must name a file of the same merchant; another merchant's file is "not found". */
export async function checkFileOwned(db: Db, merchantId: string, resource: LinkResource): Promise<void> {
  if (resource.kind !== 'file') return
  if (!(await Files.getFileInfoForMerchant(db, merchantId, resource.fileId))) throw new NotFoundError('file')
}
