// GET /api/dashboard/channels?link={id}: the merchant's session channels (of one link) and what they earned.
import * as Channels from '@/lib/channels'
import { json, merchantRoute } from '../_lib/route'

export const GET = merchantRoute(async ({ request, db, session }) => {
  const linkId = new URL(request.url).searchParams.get('link') ?? undefined
  const filter = linkId ? { linkId } : {}
  const [channels, revenue] = await Promise.all([
    Channels.listChannels(db, session.merchant.id, filter),
    Channels.channelRevenue(db, session.merchant.id, filter),
  ])
  return json({ channels, revenue })
})
