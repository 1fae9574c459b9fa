// GET /api/dashboard/overview?days=30: revenue over time, counts, conversion and splits.
import * as Payments from '@/lib/payments'
import { json, merchantRoute } from '../_lib/route'

export const GET = merchantRoute(async ({ request, db, session }) => {
  const days = Number(new URL(request.url).searchParams.get('days')) || 30
  return json({ overview: await Payments.getOverview(db, session.merchant.id, { days }) })
})
