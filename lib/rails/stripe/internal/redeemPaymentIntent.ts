// Browser path: the checkout confirmed a PaymentIntent we created for this challenge and names it.
// Stripe is the source of truth: retrieve it and unlock only for a succeeded intent that is exactly
// this challenge's payment (amount, currency, challenge, link) and was never redeemed before.
import type Stripe from 'stripe'
import { PaymentInsufficientError, VerificationFailedError } from '@/lib/protocol/Problem'
import * as LinkSales from '@/lib/store/link-sales'
import { PaymentActionRequiredError } from '../Errors'
import type { RailContext } from './context'
import * as Keys from './keys'
import * as Settlement from './settlement'
import * as StripeErrors from './stripeErrors'

export type RedeemPaymentIntentParameters = {
  paymentIntentId: string
  challengeId: string
  linkId: string
  amountCents: number
  currency: string
  externalId?: string
}

export async function redeemPaymentIntent(
  context: RailContext,
  parameters: RedeemPaymentIntentParameters,
): Promise<Settlement.StripeSettlement> {
  const { paymentIntentId: id, challengeId, linkId, amountCents, currency } = parameters
  let intent: Stripe.PaymentIntent
  try {
    intent = await context.stripe.paymentIntents.retrieve(id)
  } catch (error) {
    const failure = StripeErrors.classify(error)
    throw new VerificationFailedError(
      failure.kind === 'rejected' && failure.statusCode === 404
        ? `PaymentIntent ${id} does not exist on this Stripe account`
        : `PaymentIntent ${id} could not be checked with Stripe: ${failure.message}`,
      { cause: error },
    )
  }
  if (intent.metadata?.[Keys.metadataKeys.challengeId] !== challengeId) {
    throw new VerificationFailedError(`PaymentIntent ${id} was not created for this challenge`)
  }
  if (intent.metadata?.[Keys.metadataKeys.linkId] !== linkId) {
    throw new VerificationFailedError(`PaymentIntent ${id} was not created for this link`)
  }
  if (intent.currency !== currency) {
    throw new VerificationFailedError(`PaymentIntent ${id} is in ${intent.currency}; this challenge asks for ${currency}`)
  }
  if (intent.amount < amountCents) {
    throw new PaymentInsufficientError(
      `PaymentIntent ${id} is for ${intent.amount} ${currency} cents; this challenge asks for ${amountCents}`,
    )
  }
  if (intent.amount !== amountCents) {
    throw new VerificationFailedError(`PaymentIntent ${id} is for ${intent.amount} ${currency} cents, not this challenge's ${amountCents}`)
  }
  // The payer is confirming: a capped link's short unpaid hold is extended while they finish.
  if (intent.status === 'requires_action' || intent.status === 'processing')
    await LinkSales.confirmHold(context.db, { paymentIntentId: id })
  if (intent.status === 'requires_action') {
    throw new PaymentActionRequiredError(
      `PaymentIntent ${id} is waiting for the payer to authenticate (requires_action); finish it in the browser, then submit again`,
      id,
    )
  }
  if (intent.status !== 'succeeded') {
    throw new VerificationFailedError(
      intent.status === 'processing'
        ? `PaymentIntent ${id} is still processing; submit again once it has succeeded`
        : `PaymentIntent ${id} has not succeeded (status ${intent.status})`,
    )
  }
  if (intent.amount_received < amountCents) {
    throw new PaymentInsufficientError(`PaymentIntent ${id} received ${intent.amount_received} of ${amountCents} ${currency} cents`)
  }
  // The money moved: the slot this intent held (if its link is capped) is now a sale, whoever redeems it.
  await LinkSales.sellHold(context.db, { linkId, challengeId, paymentIntentId: id })
  return Settlement.claim(context, { paymentIntent: intent, challengeId, linkId, via: 'payment-intent', externalId: parameters.externalId })
}
