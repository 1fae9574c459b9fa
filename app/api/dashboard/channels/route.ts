// GET /api/dashboard/channels?link={id}: the merchant's session channels (of one link) and what they earned.
import * as Channels from '@/lib/channels'
import { BadRequestError, json, merchantRoute } from '../_lib/route'

/** Link ids as lib/store/links makes them; anything else (a NUL PostgreSQL cannot compare, say) names no link. */
const linkIdPattern = /^lnk_[A-Za-z0-9_-]{1,64}$/

export const GET = merchantRoute(async ({ request, db, session }) => {
  const linkId = new URL(request.url).searchParams.get('link') ?? undefined
  if (linkId !== undefined && !linkIdPattern.test(linkId)) throw new BadRequestError('link must be a link id (lnk_…)')
  const filter = linkId ? { linkId } : {}
  const [channels, revenue] = await Promise.all([
    Channels.listChannels(db, session.merchant.id, filter),
    Channels.channelRevenue(db, session.merchant.id, filter),
  ])
  return json({ channels, revenue })
})
