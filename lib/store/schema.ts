// Drizzle table definitions. The SQL that creates them lives in ./migrations (kept in step by
// lib/store/schema.test.ts, which compares both on a real database).
import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
import type { ServicePricing } from '@/lib/gateway/price-rules'

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' })
const createdAt = () =>
  timestamp('created_at', { withTimezone: true })
    .notNull()
    .default(sql`now()`)

export const merchants = pgTable('merchants', {
  id: text('id').primaryKey(),
  address: text('address').notNull().unique(),
  name: text('name').notNull().default(''),
  webhookUrl: text('webhook_url'),
  webhookSecret: text('webhook_secret'),
  createdAt: createdAt(),
})

export type LinkResource =
  | { kind: 'inline'; contentType: 'text/plain' | 'application/json'; body: string }
  | { kind: 'file'; fileId: string }
  | { kind: 'redirect'; url: string }
  | { kind: 'proxy'; url: string }
  | ServiceResource

/**
 * A paid API gateway (docs/gateway.md): requests to /l/{slug}/{path} are priced by `pricing` (the link's
 * price is the default) and forwarded to `upstreamUrl`/{path}. The secret header's value is sealed in
 * link_upstream_secrets; only its name and a hint (••••abcd) live here, so no reader of links sees it.
 */
export type ServiceResource = {
  kind: 'service'
  upstreamUrl: string
  pricing: ServicePricing
  /** Until the upstream's response headers arrive; a stream may then run longer. */
  timeoutSeconds: number
  /** Request header names payers may send through, beyond the built-in allowlist. */
  forwardHeaders: string[]
  secretHeader: { name: string; hint: string } | null
}

export type AccessPolicy = { kind: 'once' } | { kind: 'window'; minutes: number }

/**
 * A link sold as an MCP tool: its name (unique on the server), the merchant's description ('' : derived from the
 * link's title and description) and the JSON Schema of its arguments (null: `{ "type": "object" }`).
 */
export type McpToolSettings = { name: string; description: string; inputSchema: Record<string, unknown> | null }

/** A link sold by the unit over `evm`/`session` channels (migration 0012): its price is one unit's. */
export type LinkSession = { unitType: string; suggestedDepositUsd: string | null }

export const links = pgTable(
  'links',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull().unique(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    priceUsd: text('price_usd').notNull(),
    /** Per-call charge rails; empty for a link sold only as a session. */
    rails: jsonb('rails').$type<Array<'evm' | 'stripe'>>().notNull(),
    /** Set when the link is also (or only) sold per unit through `evm`/`session` payment channels. */
    session: jsonb('session').$type<LinkSession>(),
    recipient: text('recipient').notNull(),
    resource: jsonb('resource').$type<LinkResource>().notNull(),
    accessPolicy: jsonb('access_policy').$type<AccessPolicy>().notNull(),
    maxPayments: integer('max_payments'),
    /** Slots of maxPayments taken: sales, payments in flight and unpaid card holds (see lib/store/link-sales). */
    salesReserved: integer('sales_reserved').notNull().default(0),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    active: boolean('active').notNull().default(true),
    /** Listed at /mcp as a paid tool when set. */
    mcpTool: jsonb('mcp_tool').$type<McpToolSettings>(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [index('links_merchant_idx').on(t.merchantId)],
)

export const files = pgTable('files', {
  id: text('id').primaryKey(),
  merchantId: text('merchant_id')
    .notNull()
    .references(() => merchants.id),
  name: text('name').notNull(),
  contentType: text('content_type').notNull(),
  size: integer('size').notNull(),
  bytes: bytea('bytes').notNull(),
  createdAt: createdAt(),
})

// One row per money movement attempt, keyed by what makes it unique on its rail.
export const settlements = pgTable(
  'settlements',
  {
    replayKey: text('replay_key').primaryKey(),
    rail: text('rail').notNull(),
    status: text('status').$type<'claimed' | 'submitted' | 'settled' | 'failed'>().notNull(),
    txHash: text('tx_hash'),
    payer: text('payer'),
    amount: text('amount'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    error: text('error'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [index('settlements_status_idx').on(t.status)],
)

export const payments = pgTable(
  'payments',
  {
    id: text('id').primaryKey(),
    // A settlement yields at most one payment, whichever path (credential or webhook) records it first.
    settlementKey: text('settlement_key').notNull().unique(),
    linkId: text('link_id').references(() => links.id),
    merchantId: text('merchant_id').references(() => merchants.id),
    resourceKey: text('resource_key').notNull(),
    protocol: text('protocol').$type<'mpp' | 'x402' | 'webhook' | 'mcp'>().notNull(),
    method: text('method').$type<'evm' | 'stripe'>().notNull(),
    amount: text('amount').notNull(),
    currency: text('currency').notNull(),
    amountUsd: text('amount_usd').notNull(),
    payer: text('payer'),
    reference: text('reference').notNull(),
    challengeId: text('challenge_id'),
    status: text('status').$type<'succeeded' | 'refunded'>().notNull(),
    delivery: text('delivery').$type<'pending' | 'delivered' | 'failed'>().notNull().default('pending'),
    deliveryError: text('delivery_error'),
    receipt: jsonb('receipt').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    refundedAt: timestamp('refunded_at', { withTimezone: true }),
  },
  (t) => [index('payments_link_idx').on(t.linkId, t.createdAt), index('payments_merchant_idx').on(t.merchantId, t.createdAt)],
)

export const accessGrants = pgTable('access_grants', {
  // sha-256 of the bearer token held in the payer's cookie; the token itself is never stored.
  tokenHash: text('token_hash').primaryKey(),
  paymentId: text('payment_id')
    .notNull()
    .references(() => payments.id),
  resourceKey: text('resource_key').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }),
  usesLeft: integer('uses_left'),
  createdAt: createdAt(),
})

export const challengeCounts = pgTable(
  'challenge_counts',
  {
    resourceKey: text('resource_key').notNull(),
    day: text('day').notNull(),
    count: bigint('count', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.resourceKey, t.day] })],
)

export const stripeEvents = pgTable('stripe_events', {
  eventId: text('event_id').primaryKey(),
  type: text('type').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true })
    .notNull()
    .default(sql`now()`),
})

export const rateLimits = pgTable(
  'rate_limits',
  {
    bucket: text('bucket').notNull(),
    windowStart: bigint('window_start', { mode: 'number' }).notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.windowStart] })],
)

// Merchant dashboard (migration 0003_dashboard).

/** Sign-in nonces, single-use: a sign-in deletes its nonce, so every instance sharing the database sees it spent. */
export const siweNonces = pgTable(
  'siwe_nonces',
  {
    nonce: text('nonce').primaryKey(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('siwe_nonces_expires_idx').on(t.expiresAt)],
)

/** A signed-in browser; the cookie names the row, so signing out revokes it everywhere. */
export const merchantSessions = pgTable(
  'merchant_sessions',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('merchant_sessions_merchant_idx').on(t.merchantId)],
)

export type WebhookEventType = 'payment.succeeded' | 'payment.refunded'

/** One event per payment and type; the payload is the exact body every delivery of it sends. */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    type: text('type').$type<WebhookEventType>().notNull(),
    paymentId: text('payment_id').references(() => payments.id),
    payload: text('payload').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('webhook_events_payment_type_idx').on(t.paymentId, t.type),
    index('webhook_events_merchant_idx').on(t.merchantId, t.createdAt),
  ],
)

/** Sending one event to one URL, retried with backoff until it is delivered or gives up. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    eventId: text('event_id')
      .notNull()
      .references(() => webhookEvents.id),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    url: text('url').notNull(),
    status: text('status').$type<'pending' | 'delivered' | 'failed'>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
    lastResponseStatus: integer('last_response_status'),
    lastError: text('last_error'),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('webhook_deliveries_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`status = 'pending'`),
    index('webhook_deliveries_merchant_idx').on(t.merchantId, t.createdAt),
  ],
)

// Card sales of capped links (migration 0005_card_sale_holds).

/**
 * A slot of a capped link held for one checkout PaymentIntent (one per challenge and link, like the
 * intent itself): counted in links.sales_reserved while 'held' or 'sold'; 'released' gave it back.
 */
export const cardSaleHolds = pgTable(
  'card_sale_holds',
  {
    linkId: text('link_id')
      .notNull()
      .references(() => links.id),
    challengeId: text('challenge_id').notNull(),
    paymentIntentId: text('payment_intent_id').unique(),
    status: text('status').$type<'held' | 'sold' | 'released'>().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
    /** Digest of the client key that asked for the intent (migration 0008): bounds the holds one client keeps open. */
    clientKey: text('client_key'),
    /** When Stripe showed the payer confirming (3-D Secure, processing, a card attempt): the hold was extended then. */
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.linkId, t.challengeId] }),
    index('card_sale_holds_expiry_idx')
      .on(t.expiresAt)
      .where(sql`status = 'held'`),
    index('card_sale_holds_client_idx')
      .on(t.linkId, t.clientKey)
      .where(sql`status = 'held'`),
  ],
)

// Server-submitted settlements per merchant and minute (migration 0006_settlement_quota).

/** How many settlements the settler submitted for one scope (`merchant:<id>`) in the minute starting at window_start (ms). */
export const settlementQuota = pgTable(
  'settlement_quota',
  {
    scope: text('scope').notNull(),
    windowStart: bigint('window_start', { mode: 'number' }).notNull(),
    used: integer('used').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.windowStart] }), index('settlement_quota_window_idx').on(t.windowStart)],
)

// Slugs are their merchant's for good (migration 0007_link_slugs).

/** Every slug a merchant's links have had: the live one, old ones of renamed links, and deleted links' (link_id null). */
export const linkSlugs = pgTable(
  'link_slugs',
  {
    slug: text('slug').primaryKey(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    linkId: text('link_id').references(() => links.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('link_slugs_link_idx').on(t.linkId)],
)

// Service links' upstream API keys (migration 0010_service_links).

/** The sealed value of a service link's secret header (lib/gateway/upstream-secret.ts); never returned by the dashboard API. */
export const linkUpstreamSecrets = pgTable('link_upstream_secrets', {
  linkId: text('link_id')
    .primaryKey()
    .references(() => links.id, { onDelete: 'cascade' }),
  /** `v1.<iv>.<ciphertext+tag>`, sealed for this link id. */
  sealed: text('sealed').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true })
    .notNull()
    .default(sql`now()`),
})

// evm/session payment channels (migration 0009_session_channels). Amounts are uint128 base units as exact numerics.

const amount = (name: string) => numeric(name, { precision: 78, scale: 0 })

/**
 * A channel on the escrow whose payee is ours, as verified on chain at open and top-up, with the spec's
 * accounting: `accepted` (best voucher, signed by `best_signature`), `spent` (charged for delivered service),
 * `settled_on_chain`. A check constraint keeps `spent <= accepted <= deposit` whatever the statement.
 */
export const sessionChannels = pgTable(
  'session_channels',
  {
    channelId: text('channel_id').primaryKey(),
    chainId: integer('chain_id').notNull(),
    escrow: text('escrow').notNull(),
    token: text('token').notNull(),
    payer: text('payer').notNull(),
    payee: text('payee').notNull(),
    /** The zero address when the payer signs vouchers itself. */
    authorizedSigner: text('authorized_signer').notNull(),
    signerIsContract: boolean('signer_is_contract').notNull().default(false),
    deposit: amount('deposit').notNull(),
    accepted: amount('accepted').notNull().default('0'),
    bestSignature: text('best_signature'),
    spent: amount('spent').notNull().default('0'),
    settledOnChain: amount('settled_on_chain').notNull().default('0'),
    /** Unix seconds of a pending forced close on chain (0: none). */
    closeRequestedAt: bigint('close_requested_at', { mode: 'bigint' }).notNull().default(0n),
    finalized: boolean('finalized').notNull().default(false),
    resourceKey: text('resource_key').notNull(),
    linkId: text('link_id').references(() => links.id),
    merchantId: text('merchant_id').references(() => merchants.id),
    openTxHash: text('open_tx_hash'),
    openedBlock: bigint('opened_block', { mode: 'bigint' }).notNull(),
    closeTxHash: text('close_tx_hash'),
    /** Set while the server closes the channel: no charge is accepted from then on, so the close covers everything spent. */
    closingSince: timestamp('closing_since', { withTimezone: true }),
    lastVoucherAt: timestamp('last_voucher_at', { withTimezone: true }),
    /** When `accepted` last rose above `settled_on_chain` (null: nothing unsettled): the settlement job's age clock. */
    unsettledSince: timestamp('unsettled_since', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [
    index('session_channels_merchant_idx').on(t.merchantId, t.createdAt),
    index('session_channels_link_idx').on(t.linkId, t.createdAt),
    index('session_channels_live_idx')
      .on(t.unsettledSince)
      .where(sql`NOT finalized`),
  ],
)

/** A transaction the server submits for a channel (a relayed open or top-up, a settle, a close): claimed -> submitted -> settled | failed. */
export const sessionTransactions = pgTable(
  'session_transactions',
  {
    id: text('id').primaryKey(),
    channelId: text('channel_id').notNull(),
    kind: text('kind').$type<'open' | 'topUp' | 'settle' | 'close'>().notNull(),
    /** Relayed opens and top-ups: the EIP-3009 authorization, so one is submitted once. */
    replayKey: text('replay_key').unique(),
    /** The deposit an open or top-up adds; the cumulative amount a settle or close redeems. */
    amount: amount('amount').notNull(),
    status: text('status').$type<'claimed' | 'submitted' | 'settled' | 'failed'>().notNull(),
    txHash: text('tx_hash'),
    /** Why it was submitted (the credential's action, a threshold, a forced close, the dashboard). */
    reason: text('reason').notNull(),
    error: text('error'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [
    uniqueIndex('session_transactions_payee_in_flight_idx')
      .on(t.channelId)
      .where(sql`kind IN ('settle', 'close') AND status IN ('claimed', 'submitted')`),
    index('session_transactions_unfinished_idx')
      .on(t.updatedAt)
      .where(sql`status IN ('claimed', 'submitted')`),
    index('session_transactions_channel_idx').on(t.channelId, t.createdAt),
  ],
)

/** A paid session request by (challenge, Idempotency-Key): a duplicate gets this outcome again and is not charged twice. */
export const sessionRequests = pgTable(
  'session_requests',
  {
    challengeId: text('challenge_id').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    /** SHA-256 of the credential payload: the same key with another payload is refused. */
    payloadDigest: text('payload_digest').notNull(),
    channelId: text('channel_id').notNull(),
    action: text('action').notNull(),
    serves: text('serves').$type<'resource' | 'receipt'>().notNull(),
    units: integer('units').notNull(),
    charged: amount('charged').notNull(),
    accepted: amount('accepted').notNull(),
    spent: amount('spent').notNull(),
    txHash: text('tx_hash'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.challengeId, t.idempotencyKey] })],
)

/** The next block the escrow's event watcher reads, per chain and escrow. */
export const sessionWatch = pgTable(
  'session_watch',
  {
    chainId: integer('chain_id').notNull(),
    escrow: text('escrow').notNull(),
    nextBlock: bigint('next_block', { mode: 'bigint' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [primaryKey({ columns: [t.chainId, t.escrow] })],
)
