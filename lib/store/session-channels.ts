// Accounting of `evm`/`session` channels (draft-evm-session-00, Server-Side Accounting). Every change to
// `accepted`/`spent` is one conditional statement on the channel's row, so concurrent requests on any
// number of instances sharing the database are serialized by the row lock and never charge more than
// the accepted vouchers cover (a check constraint holds `spent <= accepted <= deposit` besides).
import { and, desc, eq, isNull, sql } from 'drizzle-orm'
import type { Db } from './db'
import { sessionChannels, sessionRequests } from './schema'

export type SessionChannel = typeof sessionChannels.$inferSelect
export type NewSessionChannel = typeof sessionChannels.$inferInsert

/** What an accounting statement leaves on the channel, read in the same statement. */
export type Balances = { accepted: bigint; spent: bigint; deposit: bigint; at: Date }

/** The request that a charge answers, remembered when the client sent an Idempotency-Key. */
export type RememberedRequest = {
  challengeId: string
  idempotencyKey: string
  payloadDigest: string
  action: string
  serves: 'resource' | 'receipt'
  units: number
  txHash?: string
}

export type StoredRequest = typeof sessionRequests.$inferSelect

// Millisecond precision, so the time a request was remembered reads back exactly as it was answered.
const at = sql`date_trunc('milliseconds', now())`
const atMs = sql`(extract(epoch FROM date_trunc('milliseconds', now())) * 1000)::bigint`

/** Records a channel verified on chain. False when a row for it exists already (an open seen before). */
export async function insertChannel(db: Db, channel: NewSessionChannel): Promise<boolean> {
  const rows = await db.insert(sessionChannels).values(channel).onConflictDoNothing().returning({ id: sessionChannels.channelId })
  return rows.length === 1
}

export async function getChannel(db: Db, channelId: string): Promise<SessionChannel | null> {
  const rows = await db.select().from(sessionChannels).where(eq(sessionChannels.channelId, channelId)).limit(1)
  return rows[0] ?? null
}

export type ChargeInput = {
  channelId: string
  /** A verified voucher to accept in the same statement (steps 9-10), or none (a metered charge on what was accepted). */
  voucher?: { amount: bigint; signature: string; minVoucherDelta: bigint }
  /** Base units to add to `spent` (0: accept only). */
  cost: bigint
  /** Remember the outcome under (challengeId, Idempotency-Key), in the same statement. */
  request?: RememberedRequest
}

export type ChargeOutcome =
  | ({ status: 'charged' } & Balances)
  /** The row did not meet the conditions (closed, pending close, delta, deposit or balance): read it to say which. */
  | { status: 'refused' }
  /** (challengeId, Idempotency-Key) is remembered already: nothing changed. */
  | { status: 'duplicate' }

/**
 * The atomic accounting statement: `accepted := greatest(accepted, voucher)` and `spent := spent + cost`,
 * only on an open channel with no pending forced close, where the voucher (when it raises `accepted`) raises
 * it by at least minVoucherDelta and stays within the deposit, and where `spent + cost` stays within what is
 * accepted. With `request`, the outcome is remembered in the same statement: a duplicate key rolls it all back.
 */
export async function acceptAndCharge(db: Db, input: ChargeInput): Promise<ChargeOutcome> {
  const cost = input.cost.toString()
  const voucher = input.voucher
  const amount = voucher ? voucher.amount.toString() : null
  // The accepted amount after this statement, in terms of the row it updates.
  const next = voucher ? sql`GREATEST(accepted, ${amount}::numeric)` : sql`accepted`
  const raises = voucher ? sql`${amount}::numeric > accepted` : sql`false`
  const voucherCondition = voucher
    ? sql`AND (${amount}::numeric <= accepted OR (${amount}::numeric - accepted >= ${voucher.minVoucherDelta.toString()}::numeric AND ${amount}::numeric <= deposit))`
    : sql``
  const update = sql`
    UPDATE session_channels SET
      accepted = ${next},
      best_signature = CASE WHEN ${raises} THEN ${voucher?.signature ?? null} ELSE best_signature END,
      spent = spent + ${cost}::numeric,
      last_voucher_at = now(),
      unsettled_since = CASE WHEN ${next} > settled_on_chain THEN COALESCE(unsettled_since, now()) ELSE unsettled_since END,
      updated_at = now()
    WHERE channel_id = ${input.channelId} AND NOT finalized AND close_requested_at = 0 AND closing_since IS NULL
      AND spent + ${cost}::numeric <= ${next}
      ${voucherCondition}
    RETURNING accepted, spent, deposit, ${at} AS at, ${atMs} AS at_ms`
  const request = input.request
  const statement = request
    ? sql`
    WITH charged AS (${update}), remembered AS (
      INSERT INTO session_requests (challenge_id, idempotency_key, payload_digest, channel_id, action, serves, units, charged, accepted, spent, tx_hash, created_at)
      SELECT ${request.challengeId}, ${request.idempotencyKey}, ${request.payloadDigest}, ${input.channelId}, ${request.action}, ${request.serves},
        ${request.units}, ${cost}::numeric, accepted, spent, ${request.txHash ?? null}, at FROM charged
      RETURNING 1
    )
    SELECT charged.* FROM charged`
    : update
  let rows: Array<Record<string, unknown>>
  try {
    rows = ((await db.execute(statement)) as unknown as { rows: Array<Record<string, unknown>> }).rows
  } catch (error) {
    if (request && pgErrorCode(error) === '23505') return { status: 'duplicate' }
    throw error
  }
  const row = rows[0]
  if (!row) return { status: 'refused' }
  return { status: 'charged', ...balancesOf(row) }
}

/**
 * Accepts a verified voucher without charging (the spec's per-request step 1 when the balance check of step 2
 * then fails): only when it raises `accepted` by at least minVoucherDelta, within the deposit, on an open channel.
 */
export async function acceptVoucher(
  db: Db,
  input: { channelId: string; amount: bigint; signature: string; minVoucherDelta: bigint },
): Promise<Balances | null> {
  const amount = input.amount.toString()
  const result = (await db.execute(sql`
    UPDATE session_channels SET
      accepted = ${amount}::numeric,
      best_signature = ${input.signature},
      last_voucher_at = now(),
      unsettled_since = CASE WHEN ${amount}::numeric > settled_on_chain THEN COALESCE(unsettled_since, now()) ELSE unsettled_since END,
      updated_at = now()
    WHERE channel_id = ${input.channelId} AND NOT finalized AND close_requested_at = 0 AND closing_since IS NULL
      AND ${amount}::numeric > accepted AND ${amount}::numeric <= deposit
      AND ${amount}::numeric - accepted >= ${input.minVoucherDelta.toString()}::numeric
    RETURNING accepted, spent, deposit, ${at} AS at, ${atMs} AS at_ms`)) as unknown as { rows: Array<Record<string, unknown>> }
  return result.rows[0] ? balancesOf(result.rows[0]) : null
}

/** The outcome remembered for (challengeId, Idempotency-Key), if any. */
export async function getRequest(db: Db, challengeId: string, idempotencyKey: string): Promise<StoredRequest | null> {
  const rows = await db
    .select()
    .from(sessionRequests)
    .where(and(eq(sessionRequests.challengeId, challengeId), eq(sessionRequests.idempotencyKey, idempotencyKey)))
    .limit(1)
  return rows[0] ?? null
}

/** Remembers the outcome of a request that charged nothing (a top-up, a close); the first one stays. */
export async function rememberRequest(
  db: Db,
  input: RememberedRequest & { channelId: string; accepted: bigint; spent: bigint; at: Date },
): Promise<void> {
  await db
    .insert(sessionRequests)
    .values({
      challengeId: input.challengeId,
      idempotencyKey: input.idempotencyKey,
      payloadDigest: input.payloadDigest,
      channelId: input.channelId,
      action: input.action,
      serves: input.serves,
      units: input.units,
      charged: '0',
      accepted: input.accepted.toString(),
      spent: input.spent.toString(),
      txHash: input.txHash ?? null,
      createdAt: input.at,
    })
    .onConflictDoNothing()
}

/**
 * Stops charging a channel the server is about to close (takes the row lock like every charge, so the `spent`
 * it returns is final). Null when the channel is finalized or already being closed.
 */
export async function beginClosing(db: Db, channelId: string): Promise<SessionChannel | null> {
  const rows = await db
    .update(sessionChannels)
    .set({ closingSince: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(sessionChannels.channelId, channelId), eq(sessionChannels.finalized, false), isNull(sessionChannels.closingSince)))
    .returning()
  return rows[0] ?? null
}

/** The close did not happen: the channel takes charges again. */
export async function endClosing(db: Db, channelId: string): Promise<void> {
  await db
    .update(sessionChannels)
    .set({ closingSince: null, updatedAt: sql`now()` })
    .where(and(eq(sessionChannels.channelId, channelId), eq(sessionChannels.finalized, false)))
}

/** Channels left closing by a crash with no close in flight, since before `before`: they take charges again. */
export async function releaseStaleClosing(db: Db, before: Date): Promise<number> {
  const rows = await db
    .update(sessionChannels)
    .set({ closingSince: null, updatedAt: sql`now()` })
    .where(
      and(
        eq(sessionChannels.finalized, false),
        sql`${sessionChannels.closingSince} <= ${before.toISOString()}::timestamptz`,
        sql`NOT EXISTS (SELECT 1 FROM session_transactions t WHERE t.channel_id = ${sessionChannels.channelId} AND t.kind = 'close' AND t.status IN ('claimed', 'submitted'))`,
      ),
    )
    .returning({ id: sessionChannels.channelId })
  return rows.length
}

/** The escrow's record of a channel, as read on chain. */
export type ChainState = { deposit: bigint; settled: bigint; closeRequestedAt: bigint; finalized: boolean }

/**
 * Brings the row in line with the escrow: deposit and settled only grow, finalized is sticky, and a pending
 * forced close follows the chain (a payer's top-up cancels it). Returns the row after the update.
 */
export async function applyChainState(db: Db, channelId: string, state: ChainState): Promise<SessionChannel | null> {
  const rows = await db
    .update(sessionChannels)
    .set({
      deposit: sql`GREATEST(${sessionChannels.deposit}, ${state.deposit.toString()}::numeric)`,
      settledOnChain: sql`GREATEST(${sessionChannels.settledOnChain}, ${state.settled.toString()}::numeric)`,
      closeRequestedAt: sql`CASE WHEN ${sessionChannels.finalized} THEN ${sessionChannels.closeRequestedAt} ELSE ${state.closeRequestedAt.toString()}::bigint END`,
      finalized: sql`${sessionChannels.finalized} OR ${state.finalized}`,
      unsettledSince: sql`CASE WHEN ${sessionChannels.accepted} > GREATEST(${sessionChannels.settledOnChain}, ${state.settled.toString()}::numeric) THEN ${sessionChannels.unsettledSince} ELSE NULL END`,
      updatedAt: sql`now()`,
    })
    .where(eq(sessionChannels.channelId, channelId))
    .returning()
  return rows[0] ?? null
}

/** Our settle (or close) of `amount` was mined: settled on chain grows; a close finalizes the channel. */
export async function recordRedeemed(
  db: Db,
  input: { channelId: string; amount: bigint; close?: { txHash: string } },
): Promise<SessionChannel | null> {
  const amount = input.amount.toString()
  const rows = await db
    .update(sessionChannels)
    .set({
      settledOnChain: sql`GREATEST(${sessionChannels.settledOnChain}, ${amount}::numeric)`,
      // What arrived after the settled voucher is young; nothing left means nothing to age.
      unsettledSince: sql`CASE WHEN ${sessionChannels.accepted} > GREATEST(${sessionChannels.settledOnChain}, ${amount}::numeric) THEN now() ELSE NULL END`,
      ...(input.close ? { finalized: true, closeTxHash: input.close.txHash } : {}),
      updatedAt: sql`now()`,
    })
    .where(eq(sessionChannels.channelId, input.channelId))
    .returning()
  return rows[0] ?? null
}

export type DueChannel = { channelId: string; action: 'settle' | 'close'; reason: 'close-requested' | 'threshold' | 'age' | 'idle' }

/**
 * Channels of this escrow whose best voucher should be redeemed now, most urgent first: a pending forced close
 * (the payer withdraws after the grace period), unsettled amount at `threshold`, unsettled for `maxAgeSeconds`;
 * and channels idle for `idleSeconds`, to close. Channels with a settle or close in flight are left out.
 */
export async function listDue(
  db: Db,
  parameters: { chainId: number; escrow: string; threshold: bigint; maxAgeSeconds: number; idleSeconds: number; limit: number },
): Promise<DueChannel[]> {
  const result = (await db.execute(sql`
    SELECT channel_id,
      CASE
        WHEN close_requested_at <> 0 THEN 'close-requested'
        WHEN COALESCE(last_voucher_at, created_at) <= now() - make_interval(secs => ${parameters.idleSeconds}) THEN 'idle'
        WHEN accepted - settled_on_chain >= ${parameters.threshold.toString()}::numeric THEN 'threshold'
        ELSE 'age'
      END AS reason
    FROM session_channels c
    WHERE NOT finalized AND closing_since IS NULL AND chain_id = ${parameters.chainId} AND escrow = ${parameters.escrow}
      AND (
        (accepted > settled_on_chain AND (
          close_requested_at <> 0
          OR accepted - settled_on_chain >= ${parameters.threshold.toString()}::numeric
          OR unsettled_since <= now() - make_interval(secs => ${parameters.maxAgeSeconds})))
        OR (close_requested_at = 0 AND COALESCE(last_voucher_at, created_at) <= now() - make_interval(secs => ${parameters.idleSeconds}))
      )
      AND NOT EXISTS (
        SELECT 1 FROM session_transactions t
        WHERE t.channel_id = c.channel_id AND t.kind IN ('settle', 'close') AND t.status IN ('claimed', 'submitted')
      )
    ORDER BY (close_requested_at <> 0) DESC, close_requested_at, unsettled_since NULLS LAST
    LIMIT ${parameters.limit}`)) as unknown as { rows: Array<{ channel_id: string; reason: DueChannel['reason'] }> }
  return result.rows.map((row) => ({ channelId: row.channel_id, action: row.reason === 'idle' ? 'close' : 'settle', reason: row.reason }))
}

/** Channels not yet finalized, oldest open block first: what the event watcher must keep an eye on. */
export async function earliestLiveBlock(db: Db, chainId: number, escrow: string): Promise<bigint | null> {
  const rows = await db
    .select({ block: sql<string | null>`min(${sessionChannels.openedBlock})::text` })
    .from(sessionChannels)
    .where(and(eq(sessionChannels.chainId, chainId), eq(sessionChannels.escrow, escrow), eq(sessionChannels.finalized, false)))
  const block = rows[0]?.block
  return block === null || block === undefined ? null : BigInt(block)
}

export type ChannelFilter = { merchantId?: string; linkId?: string; limit?: number; before?: Date }

/** A merchant's (or a link's) channels, newest first. */
export async function listChannels(db: Db, filter: ChannelFilter = {}): Promise<SessionChannel[]> {
  const conditions = [
    filter.merchantId !== undefined ? eq(sessionChannels.merchantId, filter.merchantId) : undefined,
    filter.linkId !== undefined ? eq(sessionChannels.linkId, filter.linkId) : undefined,
    filter.before !== undefined ? sql`${sessionChannels.createdAt} < ${filter.before.toISOString()}::timestamptz` : undefined,
  ].filter((condition) => condition !== undefined)
  return db
    .select()
    .from(sessionChannels)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(sessionChannels.createdAt))
    .limit(Math.min(Math.max(filter.limit ?? 100, 1), 1_000))
}

export type Revenue = { channels: number; spent: bigint; settledOnChain: bigint; accepted: bigint }

/** What session channels earned: `spent` is revenue (service delivered and paid by vouchers); `settledOnChain` has reached the payee. */
export async function revenue(db: Db, filter: { merchantId?: string; linkId?: string } = {}): Promise<Revenue> {
  const conditions = [
    filter.merchantId !== undefined ? eq(sessionChannels.merchantId, filter.merchantId) : undefined,
    filter.linkId !== undefined ? eq(sessionChannels.linkId, filter.linkId) : undefined,
  ].filter((condition) => condition !== undefined)
  const rows = await db
    .select({
      channels: sql<number>`count(*)::int`,
      spent: sql<string>`COALESCE(sum(${sessionChannels.spent}), 0)::text`,
      settledOnChain: sql<string>`COALESCE(sum(${sessionChannels.settledOnChain}), 0)::text`,
      accepted: sql<string>`COALESCE(sum(${sessionChannels.accepted}), 0)::text`,
    })
    .from(sessionChannels)
    .where(conditions.length ? and(...conditions) : undefined)
  const row = rows[0]
  return {
    channels: Number(row?.channels ?? 0),
    spent: BigInt(row?.spent ?? '0'),
    settledOnChain: BigInt(row?.settledOnChain ?? '0'),
    accepted: BigInt(row?.accepted ?? '0'),
  }
}

function balancesOf(row: Record<string, unknown>): Balances {
  return {
    accepted: BigInt(String(row.accepted)),
    spent: BigInt(String(row.spent)),
    deposit: BigInt(String(row.deposit)),
    at: new Date(Number(row.at_ms)),
  }
}

function pgErrorCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code
  }
  return undefined
}
