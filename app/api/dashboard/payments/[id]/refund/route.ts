// POST /api/dashboard/payments/{id}/refund: full refund of a card payment through Stripe.
import { getGate } from '@/lib/gate/runtime'
import * as Payments from '@/lib/payments'
import { json, merchantRoute } from '../../../_lib/route'

export const POST = merchantRoute<{ id: string }>(async ({ db, session, params }) => {
  // Ownership and refundability are checked before the gate (and Stripe) is touched.
  const payment = await Payments.getPayment(db, session.merchant.id, params.id)
  const stripe = payment.method === 'stripe' && payment.status === 'succeeded' ? (await getGate()).stripe : null
  return json({ payment: await Payments.refundPayment(db, session.merchant.id, payment.id, stripe) })
})
