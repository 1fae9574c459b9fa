// POST /api/dashboard/channels/{channelId}/close: close the channel with its best voucher; the payer gets the rest.
import * as Channels from '@/lib/channels'
import { getGate } from '@/lib/gate/runtime'
import { json, merchantRoute } from '../../../_lib/route'

export const POST = merchantRoute<{ id: string }>(async ({ db, session, params }) => {
  await Channels.requireOwnChannel(db, session.merchant.id, params.id)
  const sessions = (await getGate()).sessions
  return json({ close: await Channels.closeChannelNow(db, session.merchant.id, params.id, sessions) })
})
