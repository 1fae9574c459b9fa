// POST /api/dashboard/webhook/secret: replace the signing secret.
import * as Webhooks from '@/lib/webhooks'
import { json, merchantRoute } from '../../_lib/route'

export const POST = merchantRoute(async ({ db, session }) => json({ webhook: await Webhooks.rotateWebhookSecret(db, session.merchant.id) }))
