// Sorting what the Stripe SDK throws: the payer's problem (402), ours (503), or a bug (rethrown).
import Stripe from 'stripe'
import { StripeUnavailableError } from '../Errors'

export type StripeFailure =
  /** A card or token decline: Stripe's message is written for the payer. */
  | { kind: 'declined'; message: string; code?: string; paymentIntent?: Stripe.PaymentIntent }
  /** Stripe rejected the request's content (missing object, used token, idempotency conflict). */
  | { kind: 'rejected'; message: string; code?: string; statusCode?: number }

/** Classifies an SDK error; throws StripeUnavailableError for outages and key problems, rethrows non-Stripe errors. */
export function classify(error: unknown): StripeFailure {
  if (error instanceof Stripe.errors.StripeCardError) {
    return { kind: 'declined', message: error.message, code: error.code, paymentIntent: error.payment_intent }
  }
  if (error instanceof Stripe.errors.StripeInvalidRequestError || error instanceof Stripe.errors.StripeIdempotencyError) {
    return { kind: 'rejected', message: error.message, code: error.code, statusCode: error.statusCode }
  }
  if (error instanceof Stripe.errors.StripeAuthenticationError || error instanceof Stripe.errors.StripePermissionError) {
    // Our key is wrong or lacks a permission: not the payer's fault, and retrying will not help soon.
    throw new StripeUnavailableError('The Stripe account is misconfigured; card payments are unavailable', {
      cause: error,
      retryAfterSeconds: 60,
    })
  }
  if (error instanceof Stripe.errors.StripeError) {
    throw new StripeUnavailableError('Stripe is unavailable; try again shortly', { cause: error })
  }
  throw error
}
