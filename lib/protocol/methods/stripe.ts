// MPP payment method `stripe`, intent `charge` (mpp-specs draft-stripe-charge-00): the `request`
// the server offers and the credential `payload` a client returns. The spec's payload carries a
// Shared Payment Token (`spt`); Tollgate's checkout page instead names the PaymentIntent it paid.
import { z } from 'zod'
import { InvalidChallengeError, MalformedCredentialError } from '@/lib/protocol/Problem'
import { describeIssue } from './internal/describeIssue'

export const method = 'stripe'
export const intent = 'charge'

// --- request --------------------------------------------------------------------------------

/** An amount in the currency's smallest unit (e.g. cents), as a canonical base-10 string. */
const MinorUnitsSchema = z.string().regex(/^(?:0|[1-9][0-9]{0,15})$/, 'expected a canonical base-10 amount in minor units')

export const MethodDetailsSchema = z.object({
  /** Stripe Business Network profile id of the seller (`profile_...`). */
  networkId: z.string().min(1),
  /** Payment method types the seller can process, e.g. `["card", "link"]`. */
  paymentMethodTypes: z.array(z.string().min(1)).min(1),
  metadata: z.record(z.string(), z.string()).optional(),
})
export type MethodDetails = z.infer<typeof MethodDetailsSchema>

export const RequestSchema = z.object({
  amount: MinorUnitsSchema,
  /** Three-letter ISO 4217 code, lowercase as Stripe writes it (`"usd"`). */
  currency: z.string().regex(/^[a-z]{3}$/, 'expected a lowercase ISO 4217 currency code'),
  recipient: z.string().optional(),
  description: z.string().optional(),
  externalId: z.string().optional(),
  // The spec lists methodDetails as REQUIRED, but its own HTTP example omits it; accept both.
  methodDetails: MethodDetailsSchema.optional(),
})
export type Request = z.infer<typeof RequestSchema>

export class InvalidRequestParametersError extends Error {
  override name = 'InvalidRequestParametersError'
}

export type CreateRequestParameters = {
  amount: bigint | number | string
  currency: string
  networkId?: string
  paymentMethodTypes?: readonly string[]
  metadata?: Record<string, string>
  recipient?: string
  description?: string
  externalId?: string
}

/**
 * Builds a `stripe`/`charge` request with no absent keys, ready for JCS. `methodDetails` is
 * emitted when a `networkId` is configured. Throws InvalidRequestParametersError on bad configuration.
 */
export function createRequest(parameters: CreateRequestParameters): Request {
  const request: Record<string, unknown> = {
    amount: parameters.amount.toString(),
    currency: parameters.currency.toLowerCase(),
  }
  if (parameters.recipient !== undefined) request.recipient = parameters.recipient
  if (parameters.description !== undefined) request.description = parameters.description
  if (parameters.externalId !== undefined) request.externalId = parameters.externalId
  if (parameters.networkId !== undefined)
    request.methodDetails = {
      networkId: parameters.networkId,
      paymentMethodTypes: [...(parameters.paymentMethodTypes ?? ['card'])],
      ...(parameters.metadata !== undefined ? { metadata: { ...parameters.metadata } } : {}),
    }
  const parsed = RequestSchema.safeParse(request)
  if (!parsed.success) throw new InvalidRequestParametersError(`stripe charge request: ${describeIssue(parsed.error)}`)
  return parsed.data
}

/** Validates a decoded `request` echoed in a credential. Throws InvalidChallengeError. */
export function parseRequest(value: unknown): Request {
  const parsed = RequestSchema.safeParse(value)
  if (!parsed.success) throw new InvalidChallengeError(`stripe charge request is invalid: ${describeIssue(parsed.error)}`)
  return parsed.data
}

// --- credential payloads --------------------------------------------------------------------

// Stripe object ids: a fixed prefix and an underscore, then letters and digits (so never a client secret).
const stripeId = (prefix: string) =>
  z
    .string()
    .max(255)
    .regex(new RegExp(`^${prefix}_[A-Za-z0-9]+$`), `expected a Stripe id starting with ${prefix}_`)

/** The spec's payload: a Shared Payment Token the server redeems on a confirmed PaymentIntent. */
export const SptPayloadSchema = z.strictObject({
  spt: stripeId('spt'),
  externalId: z.string().optional(),
})
export type SptPayload = z.infer<typeof SptPayloadSchema>

/**
 * Tollgate extension (not in draft-stripe-charge-00): a person paid in the browser against a
 * PaymentIntent the server created for this challenge; the server retrieves it from Stripe and
 * checks status, amount, currency and metadata before unlocking.
 */
export const PaymentIntentPayloadSchema = z.strictObject({
  paymentIntent: stripeId('pi'),
  externalId: z.string().optional(),
})
export type PaymentIntentPayload = z.infer<typeof PaymentIntentPayloadSchema>

// Strict objects: a payload naming both a token and a PaymentIntent is ambiguous, so it is rejected.
export const PayloadSchema = z.union([SptPayloadSchema, PaymentIntentPayloadSchema])
export type Payload = z.infer<typeof PayloadSchema>

/** Validates a credential `payload` for `stripe`/`charge`. Throws MalformedCredentialError. */
export function parsePayload(value: unknown): Payload {
  const parsed = PayloadSchema.safeParse(value)
  if (!parsed.success) throw new MalformedCredentialError(`stripe charge payload is malformed: ${describeIssue(parsed.error)}`)
  return parsed.data
}

export function isSptPayload(payload: Payload): payload is SptPayload {
  return 'spt' in payload
}

export function isPaymentIntentPayload(payload: Payload): payload is PaymentIntentPayload {
  return 'paymentIntent' in payload
}
