// Agent path (draft-stripe-charge-00): create and confirm a PaymentIntent with the Shared Payment
// Token, keyed by challenge id + token so a retried credential never charges twice.
import type Stripe from 'stripe'
import { PaymentInsufficientError, VerificationFailedError } from '@/lib/protocol/Problem'
import { PaymentActionRequiredError } from '../Errors'
import type { RailContext } from './context'
import * as Keys from './keys'
import * as Settlement from './settlement'
import * as StripeErrors from './stripeErrors'

/**
 * `shared_payment_granted_token` needs a preview API version (SPTs are in private preview);
 * the same one mppx 0.11 uses. Only this request carries it.
 */
export const sharedPaymentTokenApiVersion = '2026-07-29.preview'

export type RedeemSharedPaymentTokenParameters = {
  spt: string
  challengeId: string
  linkId: string
  amountCents: number
  currency: string
  description?: string
  /** `methodDetails.metadata` of the challenge, carried onto the PaymentIntent. */
  metadata?: Record<string, string>
  externalId?: string
}

// Not yet in the SDK's types: SPTs are a preview feature.
type CreateWithSharedToken = Stripe.PaymentIntentCreateParams & { shared_payment_granted_token: string }

export async function redeemSharedPaymentToken(
  context: RailContext,
  parameters: RedeemSharedPaymentTokenParameters,
): Promise<Settlement.StripeSettlement> {
  const { spt, challengeId, linkId, amountCents, currency } = parameters
  const params: CreateWithSharedToken = {
    amount: amountCents,
    currency,
    confirm: true,
    shared_payment_granted_token: spt,
    automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    ...(parameters.description !== undefined ? { description: parameters.description } : {}),
    metadata: {
      ...parameters.metadata,
      [Keys.metadataKeys.challengeId]: challengeId,
      [Keys.metadataKeys.linkId]: linkId,
    },
  }
  let intent: Stripe.PaymentIntent
  try {
    intent = await context.stripe.paymentIntents.create(params, {
      idempotencyKey: Keys.sharedPaymentTokenIdempotencyKey(challengeId, spt),
      apiVersion: sharedPaymentTokenApiVersion,
    })
  } catch (error) {
    const failure = StripeErrors.classify(error)
    if (failure.kind === 'declined') throw new VerificationFailedError(`Stripe declined the payment: ${failure.message}`, { cause: error })
    throw new VerificationFailedError(`Stripe refused the Shared Payment Token: ${failure.message}`, { cause: error })
  }
  if (intent.status === 'requires_action') {
    throw new PaymentActionRequiredError(
      `Stripe requires the payer to authenticate this payment (PaymentIntent ${intent.id} requires_action); complete it with the token's issuer and pay again with a new token`,
      intent.id,
    )
  }
  if (intent.status !== 'succeeded') {
    throw new VerificationFailedError(
      `The Shared Payment Token payment did not succeed (PaymentIntent ${intent.id} status ${intent.status})`,
    )
  }
  // We asked for exactly this amount; a different answer means the API is not the Stripe we think it is.
  if (intent.currency !== currency || intent.amount_received < amountCents) {
    throw new PaymentInsufficientError(
      `PaymentIntent ${intent.id} received ${intent.amount_received} ${intent.currency}; this challenge asks for ${amountCents} ${currency}`,
    )
  }
  return Settlement.claim(context, { paymentIntent: intent, challengeId, linkId, via: 'spt', externalId: parameters.externalId })
}
