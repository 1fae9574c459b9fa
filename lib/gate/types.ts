// The gate's vocabulary, in one leaf module every gate file may import: what is sold (PricedResource),
// how it is paid (PaymentMethod per method/intent, the x402 adapter), what a transport hands the core
// (DecisionInput) and what the core hands back (Outcome). Nothing here does I/O.
import type { Address } from 'viem'
import type * as ChallengeTemplate from '@/lib/protocol/ChallengeTemplate'
import type * as Challenge from '@/lib/protocol/Challenge'
import type * as Credential from '@/lib/protocol/Credential'
import type * as Problem from '@/lib/protocol/Problem'
import type * as Receipt from '@/lib/protocol/Receipt'
import type * as PaymentRequirements from '@/lib/protocol/x402/PaymentRequirements'
import type * as PaymentSignature from '@/lib/protocol/x402/PaymentSignature'
import type { Db } from '@/lib/store/db'
import type * as Payments from '@/lib/store/payments'
import type { AccessPolicy } from '@/lib/store/schema'
import type { ChallengeStats } from './challenge-stats'
import type { GateConfig } from './config'
import type { RateLimiter } from './rate-limit'

/** A payment method's name (`WWW-Authenticate: Payment method=…`); a link's "rails" are these. */
export type RailName = 'evm' | 'stripe'

/** `method/intent`, the registry key of a payment method: `evm/charge`, `stripe/charge`, `evm/session`. */
export type MethodKey = `${string}/${string}`

export function methodKey(method: string, intent: string): MethodKey {
  return `${method}/${intent}`
}

/** Anything the gate can sell: a payment link or a `withPayment` route. */
export type PricedResource = {
  /** Stable identity used for challenge binding, grants and payments: `link:<id>` or `route:<METHOD> <path>`. */
  key: string
  /** Public URL of the resource (x402 `resource.url`, checkout page). */
  url: string
  priceUsd: string
  recipient: Address
  /** The method/intent pairs this resource is offered with, in the order offered. */
  offers: readonly MethodKey[]
  title?: string
  description?: string
  mimeType?: string
  linkId?: string | null
  merchantId?: string | null
  accessPolicy: AccessPolicy
  /**
   * Set when a grant for this resource must also match the terms it was bought at (withPayment routes,
   * whose price may depend on the request): a digest of those terms. See grant-scope.ts.
   */
  grantScope?: string
  /**
   * The challenge must name this `grantScope` too (its `opaque.grant`): a credential paid for one request of
   * the resource cannot pay for another at the same price (a service link's calls: method, path, query, body).
   */
  scopeBindsChallenge?: boolean
  /**
   * For resources with a sales cap: takes one sale before money moves, returning how to give it
   * back if the payment fails, or null when sold out.
   */
  reserveSale?: () => Promise<(() => Promise<void>) | null>
  /**
   * When money moves: `before` (default) settles, then delivers; `after-success` verifies and claims the
   * payment, delivers, and settles only when the delivery succeeded (methods that can hold a payment;
   * others settle before).
   */
  settle?: 'before' | 'after-success'
  /**
   * Set when the resource is also sold by the unit through `evm/session` payment channels (offers list
   * `evm/session`): `priceUsd` is then the price of one unit.
   */
  session?: SessionTerms
}

/** How a resource is sold by the unit over a payment channel. */
export type SessionTerms = {
  /** What one unit is, e.g. `request`, `llm_token`, `byte` (the challenge's `unitType`). */
  unitType: string
  /** Decimal USD a new channel should hold (the challenge's `suggestedDeposit`). */
  suggestedDepositUsd?: string
  /** Decimal USD: the smallest increase a new voucher may bring (the challenge's `minVoucherDelta`); default any. */
  minVoucherDeltaUsd?: string
  /** Units charged when a request is paid (a stream's reservation; it meters the rest). Default 1. */
  unitsPerRequest?: number
}

/** A completed, durable money movement the gate can record and deliver against. */
export type Settled = {
  /** The rail's replay key: one payment row per key. */
  settlementKey: string
  /** The payment method (the receipt's `method`). */
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

/**
 * A payment a method accepted into its own ledger instead of moving money per request (a session voucher):
 * no payment row, no grant. `serves: 'receipt'` when the credential only managed the payment (a top-up, a
 * close): the answer is the receipt, and the resource is not delivered.
 */
export type Accepted = {
  kind: 'accepted'
  receipt: Receipt.Receipt
  serves: 'resource' | 'receipt'
  /** Method-specific state the delivery may use (e.g. the session channel, to meter a stream). */
  context?: unknown
}

/** A payment held but not yet settled (settle after success): capture moves the money, release lets it go. */
export type Authorized = {
  capture(): Promise<Settled>
  /** The claim is given up: the same credential can pay again. */
  release(reason: string): Promise<void>
}

/** What a method settles a credential against: its challenge (binding, realm, expiry, resource and terms already checked). */
export type SettleInput = {
  challenge: Challenge.Challenge
  payload: unknown
  source?: string
  resource: PricedResource
  /** The client's `Idempotency-Key`: a retry of the same request is not charged twice (methods that meter). */
  idempotencyKey?: string
  /** How the credential arrived (`mpp` over HTTP, `mcp` over JSON-RPC): kept with a durable settlement record. */
  protocol?: Protocol
  /**
   * Units of the resource this request consumes (methods that meter); absent: the resource's own count. 0: the
   * request only carries the payment (a voucher sent with HEAD) and is answered with the receipt alone.
   */
  units?: number
}

/** One payment method × intent, as the gate's registry holds it. */
export interface PaymentMethod {
  readonly method: string
  readonly intent: string
  /** What `Settled.amount` counts: the token address for evm, the ISO currency for stripe. */
  readonly currency: string
  /** The `request` of this method's challenge for the resource, or null when it cannot sell it (e.g. a price it cannot charge). */
  request(resource: PricedResource): Record<string, unknown> | null
  /** Verifies and settles (or accepts) a credential for a challenge this server issued. Throws PaymentProblem for the payer's mistakes. */
  settle(input: SettleInput): Promise<Settled | Accepted>
  /** Verifies and claims a credential without moving money yet (settle after success); absent: the method settles before. */
  authorize?(input: SettleInput): Promise<Authorized>
  /** Whether `authorize` can hold this credential payload (absent: any); one it cannot hold settles before. */
  canHold?(payload: unknown): boolean
  /** A credential whose sale was reserved before it reached the gate (a card checkout's PaymentIntent holds its slot). */
  holdsItsSale?(payload: unknown): boolean
}

/** x402 `exact`: a second wire protocol over the `evm/charge` method. */
export interface X402Adapter {
  /** The method/intent whose resources it also sells. */
  readonly over: MethodKey
  /** The x402 `exact` offer for this resource, or null when it is not offered (a price below the server-settlement minimum). */
  requirements(resource: PricedResource): PaymentRequirements.ExactEvm | null
  settle(input: X402Input): Promise<Settled>
  /** Verifies and claims the payment without moving money yet (settle after success). */
  authorize?(input: X402Input): Promise<Authorized>
}

export type X402Input = { payment: PaymentSignature.PaymentPayload; requirements: PaymentRequirements.ExactEvm; resource: PricedResource }

/** The payment methods a gate offers, found by method and intent. */
export type MethodRegistry = {
  readonly all: readonly PaymentMethod[]
  find(method: string, intent: string): PaymentMethod | undefined
  readonly x402: X402Adapter | null
}

export type Clock = { now(): Date }

export type Gate = {
  config: GateConfig
  db: Db
  methods: MethodRegistry
  clock: Clock
  stats: ChallengeStats
  /** Per client: 402s issued, credentials presented, and session credentials (vouchers) presented. */
  limits: { challenges: RateLimiter; credentials: RateLimiter; vouchers: RateLimiter }
}

/** How a payment reached the gate; recorded with the payment (`payments.protocol`). */
export type Protocol = 'mpp' | 'x402' | 'mcp'

/** The payment a request carries, read by its transport. */
export type PaymentInput =
  | { kind: 'none' }
  | { kind: 'mpp'; credential: Credential.Credential }
  /** A credential that could not be read: its problem (malformed-credential) is answered with fresh challenges. */
  | { kind: 'malformed'; problem: Problem.PaymentProblem }
  /** The raw `PAYMENT-SIGNATURE` value (decoded by the core, so its problems get fresh challenges too). */
  | { kind: 'x402'; header: string }

/** Everything the core needs from a request, as plain data. */
export type DecisionInput = {
  payment: PaymentInput
  /** The access-grant token the client presented for this resource (a cookie over HTTP), if any. */
  grantToken: string | null
  /** The rate-limit key of the client (lib/gate/rate-limit clientKey over HTTP). */
  client: string
  /** The request body bound to the challenge by `digest`; null or empty: nothing bound. */
  body: Uint8Array | null
  /** `Accept-Payment`: which offers the client takes, in its order. */
  acceptPayment?: string | null
  /** `Idempotency-Key`: the client's name for this request, so a retry is not charged twice (methods that meter). */
  idempotencyKey?: string | null
  /** How an MPP credential reached the gate, recorded with its payment: `mcp` for a JSON-RPC `_meta` credential. Default `mpp`. */
  protocol?: 'mpp' | 'mcp'
  /**
   * The body is the operation itself (an MCP tool call and its arguments), so every challenge binds it: a credential
   * whose challenge bound no body was issued for something else and is refused.
   */
  bodyRequired?: boolean
  /** Units this request consumes (methods that meter, see SettleInput.units); absent: the resource's own count. */
  units?: number
}

/**
 * The resource's answer, and whether it failed (recorded on the payment; the payer keeps a retry grant; with
 * settle after success, nothing is charged). `discard` frees an answer that will not be sent (its body).
 */
export type Delivered<T> = { value: T; failure?: string; discard?: () => void }

/**
 * What a delivery knows about the payment that unlocked it: the payment row (null: a grant unlocked it, the
 * payment is not settled yet, or a method's own ledger took it), and what such a method accepted.
 */
export type Paid = { payment: Payments.Payment | null; accepted?: Accepted }

export type Deliver<T> = (paid: Paid) => Promise<Delivered<T>>

/** The challenges of one refusal (each with its `WWW-Authenticate` value) and the PAYMENT-REQUIRED value, if any. */
export type Offers = { challenges: ChallengeTemplate.Issued[]; paymentRequired: string | null }

/** An access grant the payer now holds: a bearer token for `key`, until `expiresAt` (null: no expiry). */
export type IssuedGrant = { token: string; key: string; expiresAt: Date | null }

/** The core's decision, as plain data a transport turns into its wire form. */
export type Outcome<T> =
  /** Pay first: the problem (payment-required, or why the credential was refused) and fresh offers. */
  | {
      kind: 'payment-required'
      problem: Problem.PaymentProblem
      offers: Offers
      retryAfterSeconds?: number
      /** The problem as problem+json UTF-8 when it was prepared ahead (the plain "pay first" of a resource). */
      problemJson?: Uint8Array<ArrayBuffer>
    }
  /** Refused without a payment problem: too many requests (429), sold out (410), no method or network (503). */
  | { kind: 'refused'; status: number; title: string; detail: string; retryAfterSeconds?: number }
  /** Paid (or unlocked by a grant: payment null and no receipt): the resource's answer. */
  | {
      kind: 'delivered'
      value: T
      payment: Payments.Payment | null
      receipt: Receipt.Receipt | null
      /** A new grant to hand the payer (a cookie over HTTP); null when none, or when the payer already holds it. */
      grant: IssuedGrant | null
    }
  /** Paid, but the resource failed: the payment is recorded and a retry grant issued (payment null: a grant's delivery failed). */
  | { kind: 'undelivered'; payment: Payments.Payment | null; receipt: Receipt.Receipt | null; grant: IssuedGrant | null }
  /** The credential only managed the payment (a session top-up or close): its receipt, no resource. */
  | { kind: 'acknowledged'; receipt: Receipt.Receipt }
