// Stripe webhook endpoint: enable `payment_intent.succeeded`, `payment_intent.canceled` and `charge.refunded` for it in Stripe.
import { handleStripeWebhookRequest } from '@/lib/checkout/card/stripe-webhook'

export const dynamic = 'force-dynamic'

export async function POST(request: Request) {
  return handleStripeWebhookRequest(request)
}
