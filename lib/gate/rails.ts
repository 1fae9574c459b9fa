// What the gate needs from a payment rail, independent of how the rail moves money.
import type { Challenge } from '@/lib/protocol/Challenge'
import { RailUnavailableError } from '@/lib/rails/evm/Errors'
import { StripeUnavailableError } from '@/lib/rails/stripe/Errors'
import type * as PaymentRequirements from '@/lib/protocol/x402/PaymentRequirements'
import type * as PaymentSignature from '@/lib/protocol/x402/PaymentSignature'
import type { PricedResource, RailName } from './priced-resource'

/** A completed, durable money movement the gate can record and deliver against. */
export type Settled = {
  /** The rail's replay key: one payment row per key. */
  settlementKey: string
  method: RailName
  reference: string
  payer: string | null
  /** Base units of `currency` (token units for evm, cents for stripe). */
  amount: string
  currency: string
  /** Method-specific receipt fields, e.g. { chainId } for evm. */
  receiptFields: Record<string, unknown>
  /** The payment id fixed before settlement (a card checkout's PaymentIntent), so its receipt link was known in advance. */
  paymentId?: string
  /** SHA-256 of the grant token the payer's browser got with that PaymentIntent: the grant is issued for it, no new cookie. */
  grantTokenHash?: string
}

export interface MppRail {
  readonly name: RailName
  /** What `Settled.amount` counts: the token address for evm, the ISO currency for stripe. */
  readonly currency: string
  /** The `request` of this rail's MPP charge challenge, or null when the rail cannot sell this price. */
  chargeRequest(resource: PricedResource): Record<string, unknown> | null
  /** Verifies and settles a credential for a challenge this server issued (binding already checked). */
  settle(input: { challenge: Challenge; payload: unknown; source?: string; resource: PricedResource }): Promise<Settled>
}

export interface X402Rail {
  /** The x402 `exact` offer for this resource, or null when it is not offered (a price below the server-settlement minimum). */
  requirements(resource: PricedResource): PaymentRequirements.ExactEvm | null
  settle(input: {
    payment: PaymentSignature.PaymentPayload
    requirements: PaymentRequirements.ExactEvm
    resource: PricedResource
  }): Promise<Settled & { network: string }>
}

/** A rail that cannot reach its network (RPC or Stripe down): 503 with Retry-After, nothing recorded. */
export function isRailUnavailable(error: unknown): error is RailUnavailableError | StripeUnavailableError {
  return error instanceof RailUnavailableError || error instanceof StripeUnavailableError
}
