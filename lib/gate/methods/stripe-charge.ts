// `stripe`/`charge` over the Stripe rail: agents pay with a Shared Payment Token, the checkout's card tab
// with the PaymentIntent it confirmed (which was prepared with its payment id and grant, and holds its sale).
import * as PreparedPayment from '@/lib/checkout/card/prepared-payment'
import * as Money from '@/lib/money'
import * as StripeMethod from '@/lib/protocol/methods/stripe'
import type * as StripeRail from '@/lib/rails/stripe'
import type { PaymentMethod } from '../types'

export function stripeChargeMethod(rail: StripeRail.StripeRail): PaymentMethod {
  return {
    method: StripeMethod.method,
    intent: StripeMethod.intent,
    currency: 'usd',
    request: (resource) => {
      const cents = Money.usdToCents(resource.priceUsd)
      return cents === null ? null : rail.chargeRequest({ amountCents: cents })
    },
    settle: async ({ challenge, payload, resource }) => {
      const s = await rail.settleMppCredential({ challenge, payload, linkId: resource.linkId ?? resource.key })
      const prepared = PreparedPayment.fromMetadata(s.paymentIntent.metadata)
      return {
        settlementKey: s.settlementKey,
        method: StripeMethod.method,
        reference: s.reference,
        payer: null,
        amount: s.amount,
        currency: s.currency,
        receiptFields: s.receiptFields,
        ...(prepared ? { paymentId: prepared.paymentId, grantTokenHash: prepared.grantTokenHash } : {}),
      }
    },
    holdsItsSale: paysCheckoutIntent,
  }
}

/** A card checkout's credential names its PaymentIntent, which was charged already and holds its sale (lib/store/link-sales). */
export function paysCheckoutIntent(payload: unknown): boolean {
  return typeof (payload as { paymentIntent?: unknown } | null)?.paymentIntent === 'string'
}
