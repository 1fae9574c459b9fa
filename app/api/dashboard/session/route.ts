// GET /api/dashboard/session: who is signed in (401 when nobody).
import { json, merchantRoute } from '../_lib/route'
import { publicMerchant } from '../_lib/serialize'

export const GET = merchantRoute(async ({ session }) => json({ merchant: publicMerchant(session.merchant), expiresAt: session.expiresAt }))
