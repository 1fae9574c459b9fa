// Everything one Stripe account holds in the double. Objects are stored in the API's own JSON shape.
import Stripe from 'stripe'
import * as Ids from './Ids'
import type { Card } from './TestCards'

export type SharedToken = {
  id: string
  card: Card
  usageLimits?: { currency: string; maxAmount: number; expiresAt: number }
  /** The PaymentIntent that spent this single-use token. */
  usedBy?: string
  revoked?: boolean
}

export type IdempotentResult = { method: string; path: string; fingerprint: string; status: number; body: string }

export type RequestContext = { requestId: string; idempotencyKey: string | null }

export type Account = {
  id: string
  intents: Map<string, Stripe.PaymentIntent>
  /** The card each PaymentIntent's current payment method stands for. */
  intentCards: Map<string, Card>
  /** A Shared Payment Token attached to a PaymentIntent but not yet spent. */
  intentTokens: Map<string, string>
  charges: Map<string, Stripe.Charge>
  refunds: Map<string, Stripe.Refund>
  paymentMethods: Map<string, { object: Stripe.PaymentMethod; card: Card }>
  sharedTokens: Map<string, SharedToken>
  events: Stripe.Event[]
  idempotency: Map<string, IdempotentResult>
  /** Called for every new event (webhook delivery). */
  onEvent: (event: Stripe.Event) => void
}

export function create(id: string, onEvent: (event: Stripe.Event) => void = () => {}): Account {
  return {
    id,
    intents: new Map(),
    intentCards: new Map(),
    intentTokens: new Map(),
    charges: new Map(),
    refunds: new Map(),
    paymentMethods: new Map(),
    sharedTokens: new Map(),
    events: [],
    idempotency: new Map(),
    onEvent,
  }
}

export function emit(
  account: Account,
  type: string,
  object: { id: string },
  context: RequestContext | null,
  previousAttributes?: Record<string, unknown>,
): Stripe.Event {
  const event = {
    id: Ids.create('evt'),
    object: 'event',
    account: account.id,
    // The pinned SDK's version, so events look like what that SDK expects.
    api_version: Stripe.API_VERSION,
    created: Ids.now(),
    // Snapshot: later changes to the object must not rewrite history.
    data: { object: structuredClone(object), ...(previousAttributes ? { previous_attributes: previousAttributes } : {}) },
    livemode: false,
    pending_webhooks: 1,
    request: { id: context?.requestId ?? null, idempotency_key: context?.idempotencyKey ?? null },
    type,
  } as unknown as Stripe.Event
  account.events.push(event)
  account.onEvent(event)
  return event
}
