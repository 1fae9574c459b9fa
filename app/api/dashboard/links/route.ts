// GET /api/dashboard/links: the merchant's links with payments and revenue. POST: create one.
import { getAuthRuntime } from '@/lib/auth/request'
import * as Links from '@/lib/links'
import { ownToolNames } from '@/lib/tools'
import { json, merchantRoute, readJson } from '../_lib/route'
import { linkJson } from '../_lib/serialize'

export const GET = merchantRoute(async ({ db, session }) => {
  const { config } = await getAuthRuntime()
  const links = await Links.listLinks(db, session.merchant.id)
  return json({ links: links.map((link) => linkJson(link, config.publicUrl)) })
})

export const POST = merchantRoute(async ({ request, db, session }) => {
  const { config } = await getAuthRuntime()
  const link = await Links.createLink(db, session.merchant.id, await readJson(request), { reservedToolNames: ownToolNames })
  return json({ link: linkJson(link, config.publicUrl) }, { status: 201 })
})
