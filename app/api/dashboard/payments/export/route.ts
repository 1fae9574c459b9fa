// GET /api/dashboard/payments/export?<filters>: the filtered payments as CSV, streamed.
import * as Payments from '@/lib/payments'
import { merchantRoute } from '../../_lib/route'

export const GET = merchantRoute(async ({ request, db, session }) => {
  const filters = Payments.parseFilters(new URL(request.url).searchParams)
  const name = `tollgate-payments-${new Date().toISOString().slice(0, 10)}.csv`
  return new Response(Payments.paymentsCsvStream(db, session.merchant.id, filters), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    },
  })
})
