// GET/PATCH/DELETE /api/dashboard/links/{id}: one of the merchant's links (anyone else's is 404).
import { getAuthRuntime } from '@/lib/auth/request'
import * as Links from '@/lib/links'
import { ownToolNames } from '@/lib/tools'
import { json, merchantRoute, readJson } from '../../_lib/route'
import { linkJson } from '../../_lib/serialize'

type Params = { id: string }

export const GET = merchantRoute<Params>(async ({ db, session, params }) => {
  const { config } = await getAuthRuntime()
  const link = await Links.getLink(db, session.merchant.id, params.id)
  return json({ link: linkJson(link, config.publicUrl) })
})

/** Any link field; `{ "active": false }` deactivates, `{ "active": true }` reactivates. */
export const PATCH = merchantRoute<Params>(async ({ request, db, session, params }) => {
  const { config } = await getAuthRuntime()
  const link = await Links.updateLink(db, session.merchant.id, params.id, await readJson(request), { reservedToolNames: ownToolNames })
  return json({ link: linkJson(link, config.publicUrl) })
})

/** Only a link nobody has paid: a paid link keeps its history (409; deactivate it instead). */
export const DELETE = merchantRoute<Params>(async ({ db, session, params }) => {
  await Links.deleteLink(db, session.merchant.id, params.id)
  return json({ deleted: true })
})
