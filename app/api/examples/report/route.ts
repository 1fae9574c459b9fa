// Example: a price that depends on the request. `?size=large` costs more than the default small report,
// and a payment keeps the report it bought open for ten minutes: only that one (a grant is bound to the
// terms it was bought at, so paying for the small report never opens the large one).
import type { NextRequest } from 'next/server'
import { withPayment } from '@/lib/gate/with-payment'

const sizes = {
  small: { amount: '0.01', sections: ['Summary'] },
  large: { amount: '0.05', sections: ['Summary', 'Prices by region', 'Volumes by month', 'Outlook'] },
} as const

function sizeOf(request: NextRequest): keyof typeof sizes {
  return request.nextUrl.searchParams.get('size') === 'large' ? 'large' : 'small'
}

export const GET = withPayment(
  (request) => {
    const size = sizeOf(request)
    return Response.json({ report: 'Widget market', size, sections: sizes[size].sections })
  },
  (request) => {
    const size = sizeOf(request)
    return { amount: sizes[size].amount, description: `A ${size} market report`, accessMinutes: 10 }
  },
)
