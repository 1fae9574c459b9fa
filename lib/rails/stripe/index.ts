// Public surface of the Stripe rail. Everything else in this folder is an implementation detail.
export { createStripeRail, type ChargeRequestParameters, type SettleParameters, type StripeRail } from './Rail'
export { loadStripeConfig, createStripeConfig, StripeConfigError, type StripeConfig, type StripeApiAddress } from './Config'
export { canCharge, minimumChargeCents, maximumChargeCents } from './MinimumCharge'
export {
  PaymentActionRequiredError,
  RefundFailedError,
  StripeUnavailableError,
  UnchargeableAmountError,
  WebhookPayloadError,
  WebhookSignatureError,
} from './Errors'
export {
  parseWebhook,
  handleWebhookEvent,
  toleranceSeconds,
  confirmingEvents,
  type CanceledPayment,
  type ConfirmingPayment,
  type RefundedCharge,
  type SucceededPayment,
  type WebhookContext,
  type WebhookHandlers,
  type WebhookOutcome,
} from './Webhook'
export type { StripeSettlement } from './internal/settlement'
export type { StripeRefund } from './internal/refund'
export type { PaymentIntentForChallenge, PaymentIntentForChallengeParameters } from './internal/paymentIntentForChallenge'
export { replayKey } from './internal/keys'
export { sharedPaymentTokenApiVersion } from './internal/redeemSharedPaymentToken'
