// Typed failures of the Stripe rail. Payer-facing ones are PaymentProblems (402 + fresh challenge);
// the rest are the rail's own trouble and map to 503 / 400 / 500 in the route that sees them.
import { VerificationFailedError, type Options } from '@/lib/protocol/Problem'
import { RailUnavailableError } from '@/lib/rails/errors'

/**
 * Stripe wants the customer to act first (3-D Secure, a redirect). Still `verification-failed` on
 * the wire (the spec registers no other type for it); the subclass lets callers tell it apart.
 */
export class PaymentActionRequiredError extends VerificationFailedError {
  override name = 'PaymentActionRequiredError'
  readonly paymentIntentId: string

  constructor(detail: string, paymentIntentId: string, options?: Options) {
    super(detail, options)
    this.paymentIntentId = paymentIntentId
  }
}

/** Stripe cannot be reached or refuses our key right now; the client may retry (the gate answers 503). */
export class StripeUnavailableError extends RailUnavailableError {
  override name = 'StripeUnavailableError'
}

/** A webhook whose `Stripe-Signature` is missing, stale or wrong: answer 400 and trust nothing in it. */
export class WebhookSignatureError extends Error {
  override name = 'WebhookSignatureError'
  readonly status = 400
}

/** A correctly signed webhook body that is not an event Tollgate can read (no id or type, a malformed object): answer 400. */
export class WebhookPayloadError extends Error {
  override name = 'WebhookPayloadError'
  readonly status = 400
}

/** Stripe refused a refund for a reason retrying will not fix (e.g. the payment never succeeded). */
export class RefundFailedError extends Error {
  override name = 'RefundFailedError'
  readonly paymentIntentId: string

  constructor(message: string, paymentIntentId: string, options?: { cause?: unknown }) {
    super(message, options)
    this.paymentIntentId = paymentIntentId
  }
}

/** The amount cannot be charged on Stripe (below the currency's minimum, not whole cents, too large). */
export class UnchargeableAmountError extends Error {
  override name = 'UnchargeableAmountError'
}
