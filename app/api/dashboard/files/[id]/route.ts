// GET /api/dashboard/files/{id}: the merchant downloads their own file (anyone else's is 404).
import * as Links from '@/lib/links'
import * as Files from '@/lib/store/files'
import { merchantRoute } from '../../_lib/route'

export const GET = merchantRoute<{ id: string }>(async ({ db, session, params }) => {
  const file = await Files.getFileForMerchant(db, session.merchant.id, params.id)
  return new Response(file.bytes as Uint8Array<ArrayBuffer>, {
    headers: {
      'content-type': file.contentType,
      'content-length': String(file.size),
      'content-disposition': Links.contentDisposition(file.name),
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    },
  })
})
