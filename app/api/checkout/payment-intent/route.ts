// The checkout's card tab: the PaymentIntent for a stripe challenge the page holds.
import { handleCardPaymentIntentRequest } from '@/lib/checkout/card/payment-intent'

export const dynamic = 'force-dynamic'

export async function POST(request: Request) {
  return handleCardPaymentIntentRequest(request)
}
