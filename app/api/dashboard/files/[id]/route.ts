// GET /api/dashboard/files/{id}: the merchant downloads their own file (anyone else's is 404).
import { inertHeaders } from '@/lib/content/inert-response'
import * as Files from '@/lib/store/files'
import { merchantRoute } from '../../_lib/route'

export const GET = merchantRoute<{ id: string }>(async ({ db, session, params }) => {
  const file = await Files.getFileForMerchant(db, session.merchant.id, params.id)
  // Served on the dashboard's origin: as inert as the paid delivery of the same bytes.
  const headers = inertHeaders({ contentType: file.contentType, fileName: file.name, attachment: true })
  headers.set('content-length', String(file.size))
  headers.set('cache-control', 'private, no-store')
  return new Response(file.bytes as Uint8Array<ArrayBuffer>, { headers })
})
