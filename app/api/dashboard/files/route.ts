// GET /api/dashboard/files: the merchant's uploaded files. POST (multipart, field "file"): upload one.
import { BodyTooLargeError, readBody } from '@/lib/http/read-body'
import { FileTooLargeError, InvalidInputError } from '@/lib/links/errors'
import * as Files from '@/lib/store/files'
import { json, merchantRoute } from '../_lib/route'

export const GET = merchantRoute(async ({ db, session }) => json({ files: await Files.listFiles(db, session.merchant.id) }))

// Room for the multipart envelope around the largest allowed file.
const MAX_BODY_BYTES = Files.maxFileBytes + 64 * 1024

export const POST = merchantRoute(async ({ request, db, session }) => {
  // Read with the limit while it streams (a chunked upload declares no length), then parsed from memory.
  const bytes = await readBody(request, MAX_BODY_BYTES).catch((error: unknown) => {
    throw error instanceof BodyTooLargeError
      ? new BodyTooLargeError(MAX_BODY_BYTES, new FileTooLargeError(Files.maxFileBytes).message)
      : error
  })
  let form: FormData
  try {
    form = await new Response(bytes, { headers: { 'content-type': request.headers.get('content-type') ?? '' } }).formData()
  } catch {
    throw new InvalidInputError([{ path: 'file', message: 'send the file as multipart/form-data in a field named "file"' }])
  }
  const file = form.get('file')
  if (!(file instanceof Blob)) throw new InvalidInputError([{ path: 'file', message: 'choose a file to upload' }])
  if (file.size > Files.maxFileBytes) throw new FileTooLargeError(Files.maxFileBytes)
  const saved = await Files.saveFile(db, session.merchant.id, {
    name: 'name' in file && typeof file.name === 'string' ? file.name : 'file',
    contentType: file.type,
    bytes: new Uint8Array(await file.arrayBuffer()),
  })
  return json({ file: saved }, { status: 201 })
})
