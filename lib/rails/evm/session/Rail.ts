// The `evm`/`session` rail (mpp-specs draft-evm-session-00): challenges' requests, credentials of the
// four actions verified and accounted in the database, metered charges mid-stream, and the jobs that
// keep the escrow's money safe (settling the best vouchers, answering a payer's forced close before its
// grace period ends, finishing what a crash left half-done), plus the dashboard's views and actions.
import { setTimeout as sleep } from 'node:timers/promises'
import { type Address, BaseError, type Hex, getAddress, isAddressEqual, zeroAddress } from 'viem'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import * as Problem from '@/lib/protocol/Problem'
import { ChannelFinalizedError, ChannelNotFoundError } from '@/lib/protocol/Problem'
import type { Db } from '@/lib/store/db'
import * as SessionChannels from '@/lib/store/session-channels'
import { type EvmConfig } from '../Config'
import { RailUnavailableError } from '../Errors'
import { contextOf } from '../internal/context'
import { isTransportFailure } from '../internal/rpc'
import type { EvmRail } from '../Rail'
import { type SessionSettings, SessionConfigError, loadSessionSettings, usdToBaseUnitsCeil } from './Config'
import { type AcceptParameters, type Accepted, accept } from './internal/accept'
import { ChannelFactsCache } from './internal/channel-facts'
import type { EscrowFacts, SessionContext } from './internal/context'
import { type CloseOutcome, type SettleOutcome, closeChannel, settleChannel } from './internal/redeem'
import { type SessionReconcileResult, reconcileSession } from './internal/reconcile'
import { type WatchOptions, type WatchReport, watchEscrow } from './internal/watch'

export type { AcceptParameters, Accepted } from './internal/accept'
export type { Owner } from './internal/open'
export type { SettleOutcome } from './internal/redeem'
export type { SessionReconcileResult } from './internal/reconcile'
export type { WatchReport } from './internal/watch'

/** Sessions cannot be served: no usable escrow (missing, or a grace period under the spec's 10 minutes). 503, not the payer's fault. */
export class SessionsUnavailableError extends RailUnavailableError {
  override name = 'SessionsUnavailableError'
}

export type SessionRequestParameters = {
  /** Price of one unit, in token base units. */
  amountPerUnit: bigint | string
  unitType?: string
  suggestedDeposit?: bigint | string
  /** The payee: must be the settler account (the escrow lets only the payee settle and close). */
  recipient: Address
  minVoucherDelta?: bigint | string
  /** Suggest resuming this channel. */
  channelId?: Hex
  description?: string
  externalId?: string
}

export type ChargeParameters = {
  channelId: Hex
  /** Units consumed since the last charge (a stream's tokens, bytes, ...). */
  units: number
  /** The stream's price per unit, base units (its challenge's `amount`). */
  amountPerUnit: bigint
  /** The challenge the stream was paid under (its receipts name it). */
  challengeId: string
}

export type ChargeResult =
  /** `spent` was raised before this returned: deliver the units. */
  | { ok: true; receipt: EvmSession.Receipt.Receipt }
  /** Not covered by the accepted vouchers: pause, emit `payment-need-voucher` with this, and wait for a voucher. */
  | { ok: false; needVoucher: EvmSession.Events.NeedVoucher }

export type ChannelStatus = 'open' | 'closing' | 'close-requested' | 'closed'

/** A channel as the dashboard shows it. Amounts are base units. */
export type ChannelView = {
  channelId: Hex
  payer: Address
  /** Set when vouchers are signed by a delegated key. */
  authorizedSigner?: Address
  deposit: bigint
  accepted: bigint
  /** Revenue: charged for delivered service. */
  spent: bigint
  settledOnChain: bigint
  /** Accepted but not yet redeemed on chain. */
  unsettled: bigint
  status: ChannelStatus
  /** When the payer asked for a forced close, and when its grace period ends (the escrow's clock). */
  closeRequestedAt?: Date
  closeGraceEndsAt?: Date
  lastVoucherAt: Date | null
  openedAt: Date
  openTxHash: Hex | null
  closeTxHash: Hex | null
  resourceKey: string
  linkId: string | null
  merchantId: string | null
}

export type JobReport = {
  reconciled: SessionReconcileResult
  watched?: WatchReport
  settled: Array<{ channelId: Hex; txHash: Hex; amount: bigint; reason: string }>
  closed: Array<{ channelId: Hex; txHash: Hex; amount: bigint; reason: string }>
  failed: Array<{ channelId: Hex; reason: string; error: string }>
}

export type SessionRail = {
  readonly config: EvmConfig
  readonly settings: SessionSettings
  readonly escrow: Address
  /** The channels' payee (the settler account): the `recipient` every session request must name. */
  readonly payee: Address
  /** The MPP `request` of an `evm`/`session` challenge. Throws SessionConfigError for a recipient this rail cannot settle for. */
  request(parameters: SessionRequestParameters): EvmSession.Request.Request
  /** Checks the escrow (code, voucher domain, grace period of at least 600 s); call at startup. Throws SessionsUnavailableError. */
  verifyEscrow(): Promise<{ closeGracePeriodSeconds: number }>
  /**
   * Verifies and applies one credential (binding, realm, expiry and "our request" are the gate's to check first).
   * Throws Problem.PaymentProblem (400/402/409/410) for the payer's mistakes, RailUnavailableError (503) when the
   * chain cannot be reached or the escrow is unusable.
   */
  accept(parameters: AcceptParameters): Promise<Accepted>
  /** Charges more units on an accepted channel mid-stream (one conditional statement), or says which voucher is needed. */
  charge(parameters: ChargeParameters): Promise<ChargeResult>
  /** A receipt of the channel's current balances (e.g. a stream's final `payment-receipt` event). */
  receiptFor(parameters: { channelId: Hex; challengeId: string; units?: number }): Promise<EvmSession.Receipt.Receipt>
  /** Settles the channel's best voucher now (the dashboard's "settle now"). */
  settleNow(channelId: Hex): Promise<SettleOutcome>
  /** Closes the channel with its best voucher now (the dashboard's "close"): the payer gets the rest back at once. */
  closeChannel(channelId: Hex): Promise<{ txHash: Hex; amount: bigint }>
  getChannel(channelId: Hex): Promise<ChannelView | null>
  listChannels(filter?: SessionChannels.ChannelFilter): Promise<ChannelView[]>
  revenue(filter?: { merchantId?: string; linkId?: string }): Promise<SessionChannels.Revenue>
  /** One pass of the jobs: reconcile, watch the escrow, settle or close what is due. */
  runJobsOnce(options?: { reconcileOlderThanMs?: number; watch?: WatchOptions }): Promise<JobReport>
  /** Runs the jobs every `intervalMs` (settings.jobIntervalMs) until `signal` aborts. */
  startJobs(options?: { signal?: AbortSignal; intervalMs?: number; onError?: (error: unknown) => void }): void
  /** Finishes transactions left claimed/submitted for `olderThanMs` (default 60 s) by a crash. */
  reconcile(options?: { olderThanMs?: number }): Promise<SessionReconcileResult>
}

export type CreateSessionRailParameters = {
  /**
   * The charge rail of this process. Its chain access and settler are shared: session transactions and charge
   * settlements signed with one key take turns for its nonces (in this process, and across instances through
   * the database lock), never racing.
   */
  evmRail: EvmRail
  db: Db
  /** Default: loadSessionSettings() from the environment. */
  settings?: SessionSettings
}

export function createSessionRail(parameters: CreateSessionRailParameters): SessionRail {
  const { evmRail, db } = parameters
  const railContext = contextOf(evmRail)
  if (!railContext) throw new SessionConfigError('evmRail must be a rail made by createEvmRail')
  const config = evmRail.config
  if (!config.escrowAddress) throw new SessionConfigError('EVM_ESCROW_ADDRESS is not set: there is no escrow for evm/session channels')
  const settings = parameters.settings ?? loadSessionSettings()
  const escrow = config.escrowAddress
  const payee = railContext.settler.address
  let facts: EscrowFacts | undefined
  let unusable: SessionsUnavailableError | undefined
  let checking: Promise<EscrowFacts> | undefined

  const context: SessionContext = {
    rail: { ...railContext, db },
    db,
    chainId: config.chainId,
    escrow,
    token: config.tokenAddress,
    payee,
    settings,
    domain: { chainId: config.chainId, escrow },
    tokenDomain: { name: config.tokenName, version: config.tokenVersion, chainId: config.chainId, verifyingContract: config.tokenAddress },
    minDeposit: usdToBaseUnitsCeil(settings.minDepositUsd, config.tokenDecimals),
    settleThreshold: usdToBaseUnitsCeil(settings.settleThresholdUsd, config.tokenDecimals),
    signerKeys: new EvmSession.Voucher.SignerKeys(),
    channelFacts: new ChannelFactsCache(),
    escrowReady: () => {
      if (facts) return Promise.resolve(facts)
      if (unusable) return Promise.reject(unusable)
      checking ??= checkEscrow().finally(() => (checking = undefined))
      return checking
    },
  }

  /** The spec: a server MUST verify the escrow's grace period is at least 10 minutes before accepting channels on it. */
  async function checkEscrow(): Promise<EscrowFacts> {
    const { publicClient } = railContext!
    const refuse = (why: string): never => {
      unusable = new SessionsUnavailableError(`evm/session channels are unavailable: ${why}`, { retryAfterSeconds: 300 })
      throw unusable
    }
    try {
      const code = await publicClient.getCode({ address: escrow })
      if (!code || code === '0x') refuse(`there is no contract at the escrow address ${escrow} on chain ${config.chainId}`)
      const zeroChannel = `0x${'00'.repeat(32)}` as Hex
      const [grace, digest] = await Promise.all([
        publicClient.readContract({ address: escrow, abi: EvmSession.escrowAbi, functionName: 'CLOSE_GRACE_PERIOD' }),
        publicClient.readContract({ address: escrow, abi: EvmSession.escrowAbi, functionName: 'hashVoucher', args: [zeroChannel, 0n] }),
      ])
      if (digest !== EvmSession.Voucher.hash(context.domain, { channelId: zeroChannel, cumulativeAmount: 0n }))
        refuse(
          `the contract at ${escrow} does not hash vouchers in the "${EvmSession.Voucher.domainName}" v${EvmSession.Voucher.domainVersion} domain`,
        )
      if (grace < BigInt(EvmSession.minCloseGracePeriodSeconds))
        refuse(`the escrow's grace period is ${grace} s, below the ${EvmSession.minCloseGracePeriodSeconds} s the spec requires`)
      facts = { closeGracePeriodSeconds: grace }
      return facts
    } catch (error) {
      if (error instanceof SessionsUnavailableError) throw error
      if (isTransportFailure(error))
        throw new RailUnavailableError('the chain is unavailable (checking the session escrow); try again shortly', { cause: error })
      return refuse(`the contract at ${escrow} does not answer as a SessionEscrow`)
    }
  }

  const view = (row: SessionChannels.SessionChannel): ChannelView => channelView(row, facts?.closeGracePeriodSeconds)

  const requireChannel = async (channelId: Hex) => {
    const row = await SessionChannels.getChannel(db, channelId.toLowerCase())
    if (!row) throw new ChannelNotFoundError(`no channel ${channelId} on this server`, { extensions: { channelId } })
    return row
  }

  const runJobsOnce: SessionRail['runJobsOnce'] = async (options = {}) => {
    await context.escrowReady()
    const report: JobReport = {
      reconciled: await reconcileSession(context, { olderThanMs: options.reconcileOlderThanMs ?? 60_000 }),
      settled: [],
      closed: [],
      failed: [],
    }
    report.watched = await watchEscrow(context, options.watch)
    const due = await SessionChannels.listDue(db, {
      chainId: config.chainId,
      escrow,
      threshold: context.settleThreshold,
      maxAgeSeconds: settings.settleMaxAgeSeconds,
      idleSeconds: settings.closeIdleSeconds,
      limit: 50,
    })
    // The settler sends one at a time; the receipts are awaited together.
    await Promise.all(
      due.map(async ({ channelId, action, reason }) => {
        const id = channelId as Hex
        try {
          if (action === 'close') {
            const closed = await closeChannel(context, id, { reason })
            report.closed.push({ channelId: id, txHash: closed.txHash, amount: closed.amount, reason })
          } else {
            const settled = await settleChannel(context, id, reason)
            if (settled.status === 'settled') report.settled.push({ channelId: id, txHash: settled.txHash, amount: settled.amount, reason })
          }
        } catch (error) {
          report.failed.push({ channelId: id, reason, error: describe(error) })
        }
      }),
    )
    return report
  }

  return {
    config,
    settings,
    escrow,
    payee,

    request(request) {
      if (unusable) throw new SessionConfigError(unusable.detail)
      if (!isAddressEqual(request.recipient, payee))
        throw new SessionConfigError(
          `evm/session channels can only pay ${payee} (the settler account: the escrow lets only a channel's payee settle and close it), not ${request.recipient}`,
        )
      return EvmSession.Request.create({
        amount: request.amountPerUnit,
        unitType: request.unitType,
        suggestedDeposit: request.suggestedDeposit,
        currency: config.tokenAddress,
        recipient: payee,
        chainId: config.chainId,
        escrowContract: escrow,
        minVoucherDelta: request.minVoucherDelta,
        channelId: request.channelId,
        // The escrow has openWithAuthorization/topUpWithAuthorization (EIP-3009) and no Permit2 functions.
        ...(settings.feePayer ? { feePayer: true, credentialTypes: ['authorization', 'hash'] as const } : {}),
        description: request.description,
        externalId: request.externalId,
      })
    },

    verifyEscrow: async () => {
      const checked = await context.escrowReady()
      return { closeGracePeriodSeconds: Number(checked.closeGracePeriodSeconds) }
    },

    accept: (acceptParameters) => accept(context, acceptParameters),

    async charge({ channelId, units, amountPerUnit, challengeId }) {
      if (!Number.isSafeInteger(units) || units < 0) throw new TypeError(`units must be a whole number, got ${units}`)
      const id = channelId.toLowerCase() as Hex
      const cost = amountPerUnit * BigInt(units)
      const outcome = await SessionChannels.acceptAndCharge(db, { channelId: id, cost })
      if (outcome.status === 'charged')
        return {
          ok: true,
          receipt: EvmSession.Receipt.create({
            challengeId,
            channelId: id,
            chainId: config.chainId,
            acceptedCumulative: outcome.accepted,
            spent: outcome.spent,
            units,
            timestamp: outcome.at,
          }),
        }
      const row = await requireChannel(id)
      const extensions = { channelId: id }
      if (row.finalized || row.closingSince || row.closeRequestedAt !== 0n)
        throw new ChannelFinalizedError(
          `channel ${id} is ${row.finalized ? 'closed' : row.closingSince ? 'being closed' : 'being force-closed by its payer'}: stop the stream`,
          { extensions },
        )
      return {
        ok: false,
        needVoucher: {
          channelId: id,
          requiredCumulative: BigInt(row.spent) + cost,
          acceptedCumulative: BigInt(row.accepted),
          deposit: BigInt(row.deposit),
        },
      }
    },

    async receiptFor({ channelId, challengeId, units }) {
      const row = await requireChannel(channelId)
      return EvmSession.Receipt.create({
        challengeId,
        channelId: row.channelId as Hex,
        chainId: config.chainId,
        acceptedCumulative: BigInt(row.accepted),
        spent: BigInt(row.spent),
        ...(units !== undefined ? { units } : {}),
      })
    },

    async settleNow(channelId) {
      await context.escrowReady()
      const row = await requireChannel(channelId)
      return settleChannel(context, row.channelId as Hex, 'dashboard')
    },

    async closeChannel(channelId) {
      await context.escrowReady()
      const row = await requireChannel(channelId)
      const closed: CloseOutcome = await closeChannel(context, row.channelId as Hex, { reason: 'dashboard' })
      return { txHash: closed.txHash, amount: closed.amount }
    },

    async getChannel(channelId) {
      const row = await SessionChannels.getChannel(db, channelId.toLowerCase())
      return row ? view(row) : null
    },
    listChannels: async (filter) => (await SessionChannels.listChannels(db, filter)).map(view),
    revenue: (filter) => SessionChannels.revenue(db, filter),

    runJobsOnce,

    startJobs(options = {}) {
      const intervalMs = options.intervalMs ?? settings.jobIntervalMs
      const onError = options.onError ?? ((error: unknown) => console.error(`evm/session jobs: ${describe(error)}`))
      const signal = options.signal
      void (async () => {
        while (!signal?.aborted) {
          try {
            const report = await runJobsOnce()
            for (const failure of report.failed) onError(new Error(`channel ${failure.channelId} (${failure.reason}): ${failure.error}`))
          } catch (error) {
            onError(error)
          }
          try {
            await sleep(intervalMs, undefined, { signal, ref: false })
          } catch {
            return
          }
        }
      })()
    },

    reconcile: (options = {}) => reconcileSession(context, { olderThanMs: options.olderThanMs ?? 60_000 }),
  }
}

/** A channel row as the dashboard shows it; `closeGracePeriodSeconds` (the escrow's) dates a pending forced close's end. */
export function channelView(row: SessionChannels.SessionChannel, closeGracePeriodSeconds?: bigint): ChannelView {
  const accepted = BigInt(row.accepted)
  const settledOnChain = BigInt(row.settledOnChain)
  const status: ChannelStatus = row.finalized
    ? 'closed'
    : row.closingSince
      ? 'closing'
      : row.closeRequestedAt !== 0n
        ? 'close-requested'
        : 'open'
  const closeRequestedAt = row.closeRequestedAt !== 0n ? new Date(Number(row.closeRequestedAt) * 1000) : undefined
  return {
    channelId: row.channelId as Hex,
    payer: getAddress(row.payer),
    ...(isAddressEqual(row.authorizedSigner as Address, zeroAddress) ? {} : { authorizedSigner: getAddress(row.authorizedSigner) }),
    deposit: BigInt(row.deposit),
    accepted,
    spent: BigInt(row.spent),
    settledOnChain,
    unsettled: accepted > settledOnChain ? accepted - settledOnChain : 0n,
    status,
    ...(closeRequestedAt ? { closeRequestedAt } : {}),
    ...(closeRequestedAt && closeGracePeriodSeconds !== undefined
      ? { closeGraceEndsAt: new Date((Number(row.closeRequestedAt) + Number(closeGracePeriodSeconds)) * 1000) }
      : {}),
    lastVoucherAt: row.lastVoucherAt,
    openedAt: row.createdAt,
    openTxHash: row.openTxHash as Hex | null,
    closeTxHash: row.closeTxHash as Hex | null,
    resourceKey: row.resourceKey,
    linkId: row.linkId,
    merchantId: row.merchantId,
  }
}

/** What a failure says, safe to log: a problem's or the rail's own detail, never a viem message (it may carry the RPC URL). */
function describe(error: unknown): string {
  if (Problem.is(error)) return `${error.code}: ${error.detail}`
  if (error instanceof RailUnavailableError) return error.detail
  if (error instanceof BaseError) return error.shortMessage
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'
}
