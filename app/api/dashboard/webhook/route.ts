// GET /api/dashboard/webhook: the endpoint and signing secret. PUT {url}: set or clear the endpoint.
import * as Webhooks from '@/lib/webhooks'
import { json, merchantRoute, readJson } from '../_lib/route'

export const GET = merchantRoute(async ({ db, session }) => json({ webhook: await Webhooks.getWebhookSettings(db, session.merchant.id) }))

// {url}: an endpoint URL and nothing else.
const MAX_BODY_BYTES = 16 * 1024

export const PUT = merchantRoute(async ({ request, db, session }) => {
  const body = (await readJson(request, MAX_BODY_BYTES)) as { url?: unknown } | null
  const webhook = await Webhooks.setWebhookUrl(db, session.merchant.id, body?.url ?? null)
  return json({ webhook })
})
