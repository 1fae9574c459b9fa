import type { Db } from '@/lib/store/db'
import * as Files from '@/lib/store/files'
import { NotFoundError } from '../errors'
import type { LinkResourceInput } from '../schema'

/** A file resource must name a file of the same merchant; another merchant's file is "not found". */
export async function checkFileOwned(db: Db, merchantId: string, resource: LinkResourceInput): Promise<void> {
  if (resource.kind !== 'file') return
  if (!(await Files.getFileInfoForMerchant(db, merchantId, resource.fileId))) throw new NotFoundError('file')
}
