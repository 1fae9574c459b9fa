// POST /api/dashboard/channels/{channelId}/settle: redeem the channel's best voucher on chain now.
import * as Channels from '@/lib/channels'
import { getGate } from '@/lib/gate/runtime'
import { json, merchantRoute } from '../../../_lib/route'

export const POST = merchantRoute<{ id: string }>(async ({ db, session, params }) => {
  // Ownership is checked before the gate (and the chain) is touched.
  await Channels.requireOwnChannel(db, session.merchant.id, params.id)
  const sessions = (await getGate()).sessions
  return json({ settlement: await Channels.settleChannelNow(db, session.merchant.id, params.id, sessions) })
})
