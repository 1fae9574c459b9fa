// The PaymentIntent a browser checkout confirms with the Payment Element, bound to one challenge and
// link through its metadata. The idempotency key makes a second request return the same intent.
import type Stripe from 'stripe'
import { UnchargeableAmountError, StripeUnavailableError } from '../Errors'
import { canCharge } from '../MinimumCharge'
import type { RailContext } from './context'
import * as Keys from './keys'
import * as StripeErrors from './stripeErrors'

export type PaymentIntentForChallengeParameters = {
  challengeId: string
  /** The link id (or, for a `withPayment` route, its resource key) the payment unlocks. */
  linkId: string
  amountCents: number | bigint
  currency?: string
  description?: string
  /** Extra metadata the caller needs back in webhooks (at most 40 more keys); the binding keys always win. */
  metadata?: Record<string, string>
}

export type PaymentIntentForChallenge = {
  id: string
  /** Handed to Stripe.js only; never logged or stored. */
  clientSecret: string
  amountCents: number
  currency: string
  status: string
}

export async function createPaymentIntentForChallenge(
  context: RailContext,
  parameters: PaymentIntentForChallengeParameters,
): Promise<PaymentIntentForChallenge> {
  const currency = (parameters.currency ?? 'usd').toLowerCase()
  if (!canCharge(parameters.amountCents, currency)) {
    throw new UnchargeableAmountError(`Stripe cannot charge ${parameters.amountCents} ${currency} cents`)
  }
  const amount = Number(parameters.amountCents)
  try {
    const intent = await context.stripe.paymentIntents.create(
      {
        amount,
        currency,
        // Endive (the pinned SDK's API version) removed `payment_method_types` from create.
        allowed_payment_method_types: [...context.config.paymentMethodTypes] as Stripe.PaymentIntentCreateParams.AllowedPaymentMethodType[],
        ...(parameters.description ? { description: parameters.description.slice(0, 1000) } : {}),
        metadata: {
          ...parameters.metadata,
          [Keys.metadataKeys.challengeId]: parameters.challengeId,
          [Keys.metadataKeys.linkId]: parameters.linkId,
        },
      },
      { idempotencyKey: Keys.paymentIntentIdempotencyKey(parameters.challengeId, parameters.linkId) },
    )
    if (!intent.client_secret) throw new StripeUnavailableError('Stripe returned a PaymentIntent without a client secret')
    return {
      id: intent.id,
      clientSecret: intent.client_secret,
      amountCents: intent.amount,
      currency: intent.currency,
      status: intent.status,
    }
  } catch (error) {
    if (error instanceof StripeUnavailableError) throw error
    const failure = StripeErrors.classify(error)
    // Same challenge and link asked with other parameters: a caller bug, not the payer's.
    throw new Error(`Stripe refused to create a PaymentIntent for this challenge: ${failure.message}`, { cause: error })
  }
}
