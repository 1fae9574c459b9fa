// POST /api/dashboard/webhook/deliveries/{id}/resend: send that event again now, as a new delivery.
import * as Webhooks from '@/lib/webhooks'
import { json, merchantRoute } from '../../../../_lib/route'

export const POST = merchantRoute<{ id: string }>(async ({ db, session, params }) =>
  json({ delivery: await Webhooks.resendDelivery(db, session.merchant.id, params.id) }, { status: 201 }),
)
