// GET /api/dashboard/webhook/deliveries?page=: the delivery log, newest first.
import * as Webhooks from '@/lib/webhooks'
import { json, merchantRoute } from '../../_lib/route'

export const GET = merchantRoute(async ({ request, db, session }) => {
  const page = Number(new URL(request.url).searchParams.get('page')) || 1
  return json(await Webhooks.listDeliveries(db, session.merchant.id, { page }))
})
