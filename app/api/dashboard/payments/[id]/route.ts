// GET /api/dashboard/payments/{id}: one of the merchant's payments with its receipt.
import * as Payments from '@/lib/payments'
import { json, merchantRoute } from '../../_lib/route'

export const GET = merchantRoute<{ id: string }>(async ({ db, session, params }) =>
  json({ payment: await Payments.getPayment(db, session.merchant.id, params.id) }),
)
