// The Stripe rail, method `stripe` intent `charge`: what to offer, the PaymentIntent a checkout pays,
// redeeming a credential (the spec's Shared Payment Token, or a PaymentIntent paid in the browser),
// refunds, and webhooks.
import type Stripe from 'stripe'
import type { Challenge } from '@/lib/protocol/Challenge'
import * as StripeMethod from '@/lib/protocol/methods/stripe'
import { InvalidChallengeError, MethodUnsupportedError, PaymentExpiredError } from '@/lib/protocol/Problem'
import { isExpired } from '@/lib/protocol/Challenge'
import type { Db } from '@/lib/store/db'
import type { StripeConfig } from './Config'
import { canCharge } from './MinimumCharge'
import * as Webhook from './Webhook'
import { createStripeClient } from './internal/client'
import type { RailContext } from './internal/context'
import * as PaymentIntentForChallenge from './internal/paymentIntentForChallenge'
import { isPaymentUnderway } from './internal/paymentUnderway'
import { redeemPaymentIntent } from './internal/redeemPaymentIntent'
import { redeemSharedPaymentToken } from './internal/redeemSharedPaymentToken'
import * as Refund from './internal/refund'
import type { StripeSettlement } from './internal/settlement'

export type ChargeRequestParameters = {
  amountCents: number | bigint
  description?: string
  externalId?: string
}

export type SettleParameters = {
  /** The echoed challenge, binding and expiry already verified by the gate. */
  challenge: Pick<Challenge, 'id' | 'realm' | 'request'> & Partial<Pick<Challenge, 'method' | 'intent' | 'expires'>>
  /** The credential's `payload`, unparsed: `{spt}` or `{paymentIntent}`. */
  payload: unknown
  /** The link (or `withPayment` resource key) the challenge was issued for. */
  linkId: string
}

export type StripeRail = {
  readonly name: 'stripe'
  readonly publishableKey: string
  /** Whether Stripe can charge this many cents (at least the currency's minimum). */
  canOffer(amountCents: number | bigint, currency?: string): boolean
  /** The MPP `stripe`/`charge` request for a price in USD cents, or null below Stripe's minimum. */
  chargeRequest(parameters: ChargeRequestParameters): StripeMethod.Request | null
  createPaymentIntentForChallenge(
    parameters: PaymentIntentForChallenge.PaymentIntentForChallengeParameters,
  ): Promise<PaymentIntentForChallenge.PaymentIntentForChallenge>
  /**
   * Redeems a credential once. Throws PaymentProblems (MalformedCredential, InvalidChallenge,
   * VerificationFailed incl. PaymentActionRequiredError, PaymentInsufficient, PaymentExpired,
   * MethodUnsupported) or StripeUnavailableError.
   */
  settleMppCredential(parameters: SettleParameters): Promise<StripeSettlement>
  /** Whether the payer of a checkout intent has submitted a payment method (false too when Stripe cannot say). */
  isPaymentUnderway(paymentIntentId: string): Promise<boolean>
  /** Full refund, idempotent. Throws RefundFailedError or StripeUnavailableError. */
  refund(paymentIntentId: string): Promise<Refund.StripeRefund>
  /** Verifies the signature over the raw body. Throws WebhookSignatureError. */
  parseWebhook(rawBody: string | Uint8Array, signatureHeader: string | null | undefined): Stripe.Event
  /** Runs the event's handler at most once per event id (see Webhook.handleWebhookEvent). */
  handleWebhookEvent(event: Stripe.Event, handlers: Webhook.WebhookHandlers): Promise<Webhook.WebhookOutcome>
  /** The SDK client, for callers that need a Stripe call the rail does not wrap. */
  readonly stripe: Stripe
}

export function createStripeRail(config: StripeConfig, db: Db): StripeRail {
  const context: RailContext = { config, stripe: createStripeClient(config), db }
  return {
    name: 'stripe',
    publishableKey: config.publishableKey,
    stripe: context.stripe,
    canOffer: (amountCents, currency = 'usd') => canCharge(amountCents, currency),
    chargeRequest({ amountCents, description, externalId }) {
      if (!canCharge(amountCents, 'usd')) return null
      return StripeMethod.createRequest({
        amount: amountCents,
        currency: 'usd',
        networkId: config.networkId,
        paymentMethodTypes: config.paymentMethodTypes,
        ...(description !== undefined ? { description } : {}),
        ...(externalId !== undefined ? { externalId } : {}),
      })
    },
    createPaymentIntentForChallenge: (parameters) => PaymentIntentForChallenge.createPaymentIntentForChallenge(context, parameters),
    settleMppCredential: (parameters) => settle(context, parameters),
    isPaymentUnderway: (paymentIntentId) => isPaymentUnderway(context, paymentIntentId),
    refund: (paymentIntentId) => Refund.refundPaymentIntent(context, paymentIntentId),
    parseWebhook: (rawBody, signatureHeader) => Webhook.parseWebhook(config.webhookSecret, rawBody, signatureHeader),
    handleWebhookEvent: (event, handlers) => Webhook.handleWebhookEvent(db, event, handlers),
  }
}

async function settle(context: RailContext, { challenge, payload: rawPayload, linkId }: SettleParameters): Promise<StripeSettlement> {
  if (
    (challenge.method !== undefined && challenge.method !== StripeMethod.method) ||
    (challenge.intent !== undefined && challenge.intent !== StripeMethod.intent)
  ) {
    throw new MethodUnsupportedError(
      `The Stripe rail settles ${StripeMethod.method}/${StripeMethod.intent}, not ${challenge.method}/${challenge.intent}`,
    )
  }
  const request = StripeMethod.parseRequest(challenge.request)
  const payload = StripeMethod.parsePayload(rawPayload)
  // The request's externalId is bound by the challenge; a credential may only repeat it.
  if (request.externalId !== undefined && payload.externalId !== undefined && payload.externalId !== request.externalId) {
    throw new InvalidChallengeError('The credential externalId does not match the challenge request')
  }
  const externalId = request.externalId ?? payload.externalId
  const amountCents = Number(request.amount)
  const common = {
    challengeId: challenge.id,
    linkId,
    amountCents,
    currency: request.currency,
    ...(externalId !== undefined ? { externalId } : {}),
  }
  if (StripeMethod.isSptPayload(payload)) {
    // The spec: expiry is checked before any token material is used.
    if (isExpired(challenge)) throw new PaymentExpiredError('The challenge has expired; pay a fresh one')
    return redeemSharedPaymentToken(context, {
      ...common,
      spt: payload.spt,
      ...(request.description !== undefined ? { description: request.description } : {}),
      ...(request.methodDetails?.metadata ? { metadata: request.methodDetails.metadata } : {}),
    })
  }
  // Expiry is the gate's call on this path: the intent may have succeeded while the payer sat in 3-D Secure.
  return redeemPaymentIntent(context, { ...common, paymentIntentId: payload.paymentIntent })
}
