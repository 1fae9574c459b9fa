// GET /api/dashboard/payments?link=&rail=&protocol=&status=&from=&to=&page=: one page of payments.
import * as Payments from '@/lib/payments'
import { json, merchantRoute } from '../_lib/route'

export const GET = merchantRoute(async ({ request, db, session }) => {
  const params = new URL(request.url).searchParams
  const filters = Payments.parseFilters(params)
  const page = await Payments.listPayments(db, session.merchant.id, filters, { page: Payments.parsePage(params) })
  return json({ filters, ...page })
})
