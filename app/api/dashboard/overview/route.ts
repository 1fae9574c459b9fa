// GET /api/dashboard/overview?days=30: revenue over time, counts, conversion and splits; `sessions` is what the
// merchant's session channels earned (all time: what was spent, and how much of it reached the chain).
import * as Channels from '@/lib/channels'
import * as Payments from '@/lib/payments'
import { json, merchantRoute } from '../_lib/route'

export const GET = merchantRoute(async ({ request, db, session }) => {
  const days = Number(new URL(request.url).searchParams.get('days')) || 30
  const [overview, sessions] = await Promise.all([
    Payments.getOverview(db, session.merchant.id, { days }),
    Channels.channelRevenue(db, session.merchant.id),
  ])
  return json({ overview, sessions })
})
