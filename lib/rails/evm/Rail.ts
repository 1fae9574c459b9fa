// The EVM rail: offers (MPP evm/charge requests, x402 exact requirements) and settlement of the
// credentials that answer them, exactly once, through the durable settlement record.
import { type Address, type Hex, createPublicClient, defineChain, http } from 'viem'
import * as Evm from '@/lib/protocol/methods/evm'
import { InvalidChallengeError, PaymentExpiredError, VerificationFailedError } from '@/lib/protocol/Problem'
import * as PaymentRequirements from '@/lib/protocol/x402/PaymentRequirements'
import * as PaymentSignature from '@/lib/protocol/x402/PaymentSignature'
import type { Db } from '@/lib/store/db'
import * as Locks from '@/lib/store/locks'
import { type EvmConfig, minServerSettlementAmount } from './Config'
import { type AuthorizationInput, holdAuthorization, settleAuthorization } from './internal/authorization'
import { receiptPolling } from './internal/blockTime'
import { createBroadcaster } from './internal/Broadcaster'
import { type RailContext, registerContext } from './internal/context'
import { createFeeOracle } from './internal/fees'
import { settleHash } from './internal/hash'
import { refuseBelowServerMinimum, refuseSelfPayment, type ServerMinimum } from './internal/policy'
import { type ReconcileResult, reconcile } from './internal/reconcile'
import { privateKeyToAccount } from 'viem/accounts'
import { createSettler } from './internal/Settler'
import { isoTime, nowSeconds } from './internal/time'
import { settleTransaction } from './internal/transaction'

/** Credential types this rail settles, in order of preference (the payer pays no gas with the first). */
export const credentialTypes = ['authorization', 'hash', 'transaction'] as const satisfies readonly Evm.CredentialType[]
export type CredentialType = (typeof credentialTypes)[number]
/** What a price below the server-settlement minimum is offered with: the payer broadcasts and pays the gas. */
export const payerBroadcastCredentialTypes = ['hash'] as const satisfies readonly CredentialType[]

/** Clock skew tolerated between a payer's validBefore and our limits. */
export const clockSkewSeconds = 30n
/** validBefore limit for an MPP challenge without `expires` (mppx signs now + 300 s then). */
export const unboundedChallengeWindowSeconds = 300n

export type ChargeRequestParameters = {
  /** Price in token base units (e.g. "1000000" = 1 USDC). */
  amount: string | bigint
  recipient: Address
  description?: string
  externalId?: string
}

export type X402RequirementsParameters = {
  amount: string | bigint
  recipient: Address
  maxTimeoutSeconds: number
}

/** The challenge a credential echoes: `request` is the decoded JSON (validated again here). */
export type MppChallenge = { id: string; realm: string; expires?: string; request: unknown }

export type SettleMppCredentialParameters = {
  challenge: MppChallenge
  /** The credential `payload` (validated here). */
  payload: unknown
  /** The credential's optional `source` (a did:pkh); when present it must name the payer. */
  source?: string
  /** Facts the caller wants kept with the settlement record (e.g. what was sold), for recovery after a crash. */
  keep?: Record<string, unknown>
  /** Runs once every check passed, just before the settler submits (and pays gas); throw to refuse. */
  beforeSubmit?: () => Promise<void>
}

export type MppSettlement = {
  /** Transaction hash: the receipt's `reference`. */
  reference: Hex
  payer: Address
  chainId: number
  /** Base units that moved (the price). */
  amount: string
  credentialType: CredentialType
  /** The durable record's key (one settlement per key). */
  replayKey: string
  externalId?: string
}

export type SettleX402Parameters = {
  /** The requirements we offered that the client accepted (see PaymentSignature.matchAccepted). */
  requirements: PaymentRequirements.ExactEvm
  payload: PaymentSignature.PaymentPayload
  /** Facts the caller wants kept with the settlement record (e.g. what was sold), for recovery after a crash. */
  keep?: Record<string, unknown>
  /** Runs once every check passed, just before the settler submits (and pays gas); throw to refuse. */
  beforeSubmit?: () => Promise<void>
}

export type X402Settlement = {
  transaction: Hex
  payer: Address
  network: PaymentRequirements.Network
  amount: string
  replayKey: string
}

/** A payment verified and claimed, but not sent: capture moves the money, release lets the credential pay again. */
export type Held<T> = { capture(): Promise<T>; release(reason: string): Promise<void> }

export type EvmRail = {
  readonly config: EvmConfig
  /** The settler account that submits authorizations and pays their gas. */
  readonly settlerAddress: Address
  /** Whether the server submits (and pays gas for) settlements of this many base units; below it only payers broadcast. */
  serverSubmits(amount: string | bigint): boolean
  /** The MPP `evm`/`charge` request object for a price. */
  chargeRequest(parameters: ChargeRequestParameters): Evm.Request
  /** x402 v2 `exact` EVM requirements (EIP-3009) for a price. */
  x402Requirements(parameters: X402RequirementsParameters): PaymentRequirements.ExactEvm
  /**
   * Verifies and settles an MPP evm/charge credential, waiting for the receipt.
   * Throws PaymentProblem errors (402/400) for the payer's mistakes, RailUnavailableError (503)
   * when the chain cannot be reached. Nothing moves unless every check passed.
   */
  settleMppCredential(parameters: SettleMppCredentialParameters): Promise<MppSettlement>
  /** Verifies and settles an x402 exact (EIP-3009) payment; throws like settleMppCredential. */
  settleX402(parameters: SettleX402Parameters): Promise<X402Settlement>
  /** Whether holdMppCredential can hold this credential payload: only EIP-3009 `authorization` (money not moved yet). */
  canHoldMppCredential(payload: unknown): boolean
  /**
   * Settle after success: verifies an MPP `authorization` credential in full and claims it durably, sending
   * nothing; `capture` submits and confirms it, `release` lets the same credential pay again. `hash` and
   * `transaction` credentials cannot be held (the payer already moved the money, or signed the transfer).
   */
  holdMppCredential(parameters: SettleMppCredentialParameters): Promise<Held<MppSettlement>>
  /** Settle after success for x402 exact: like holdMppCredential. */
  holdX402(parameters: SettleX402Parameters): Promise<Held<X402Settlement>>
  /**
   * Finishes records left `claimed`/`submitted` by a crash, from the chain. Call on start.
   * Only records untouched for `olderThanMs` (default 60 s) are judged, so in-flight
   * settlements of other instances are left alone.
   */
  reconcile(options?: { olderThanMs?: number }): Promise<ReconcileResult>
}

export type CreateEvmRailOptions = {
  /** Unix-seconds clock for validity windows (tests). */
  now?: () => bigint
}

export function createEvmRail(config: EvmConfig, db: Db, options: CreateEvmRailOptions = {}): EvmRail {
  const chain = defineChain({
    id: config.chainId,
    name: `EVM chain ${config.chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [config.rpcUrl] } },
  })
  const publicClient = createPublicClient({
    chain,
    transport: http(config.rpcUrl, { retryCount: 2, timeout: 10_000 }),
    ...(config.pollingIntervalMs !== undefined ? { pollingInterval: config.pollingIntervalMs } : {}),
  })
  const broadcaster = createBroadcaster(publicClient)
  // Instances sharing the key take turns through the database, so their nonces never race.
  const settler = createSettler(publicClient, config.settlerPrivateKey, {
    lock: (account, task) => Locks.withLock(db, `evm-settler:${config.chainId}:${account.toLowerCase()}`, task),
    sharedKey: Locks.spansProcesses(db),
    broadcaster,
    // Every rail of this process signing with this key on this node takes the same turn.
    processKey: `${config.rpcUrl}|${config.chainId}|${privateKeyToAccount(config.settlerPrivateKey).address}`,
  })
  const context: RailContext = {
    config,
    db,
    publicClient,
    settler,
    broadcaster,
    fees: createFeeOracle(publicClient),
    polling: receiptPolling(publicClient, config.pollingIntervalMs),
    now: options.now ?? nowSeconds,
  }
  const token = config.tokenAddress
  const domain: Evm.TokenDomain = {
    name: config.tokenName,
    version: config.tokenVersion,
    chainId: config.chainId,
    verifyingContract: token,
  }
  const minimum: ServerMinimum = { amount: minServerSettlementAmount(config), usd: config.minSettlementUsd }
  const serverSubmits = (amount: string | bigint) => BigInt(amount) >= minimum.amount

  const evmRail: EvmRail = {
    config,
    settlerAddress: settler.address,
    serverSubmits,

    chargeRequest: (parameters) =>
      Evm.createRequest({
        amount: parameters.amount,
        currency: token,
        recipient: parameters.recipient,
        chainId: config.chainId,
        decimals: config.tokenDecimals,
        credentialTypes: serverSubmits(parameters.amount) ? credentialTypes : payerBroadcastCredentialTypes,
        description: parameters.description,
        externalId: parameters.externalId,
      }),

    x402Requirements: (parameters) =>
      PaymentRequirements.exactEvm({
        chainId: config.chainId,
        asset: token,
        amount: parameters.amount,
        payTo: parameters.recipient,
        maxTimeoutSeconds: parameters.maxTimeoutSeconds,
        name: config.tokenName,
        version: config.tokenVersion,
      }),

    async settleMppCredential(parameters) {
      const checked = checkMppCredential(parameters)
      const { request, payload, price, details } = checked
      let settled: { txHash: Hex; payer: Address; replayKey: string }
      if (checked.authorization) settled = await settleAuthorization(context, checked.authorization)
      else if (payload.type === 'hash') settled = await settleHash(context, { txHash: payload.hash, price, details })
      else settled = await settleTransaction(context, { serializedTransaction: payload.signature, price, details })
      return mppSettlement(request, payload.type, settled)
    },

    canHoldMppCredential: (payload) => isPlainObject(payload) && payload.type === 'authorization',

    async holdMppCredential(parameters) {
      const checked = checkMppCredential(parameters)
      if (!checked.authorization)
        throw new VerificationFailedError(
          `a "${checked.payload.type}" credential cannot be held until the resource answered; pay this resource with an "authorization" credential`,
        )
      const held = await holdAuthorization(context, checked.authorization)
      return { capture: async () => mppSettlement(checked.request, 'authorization', await held.capture()), release: held.release }
    },

    async settleX402(parameters) {
      const input = checkX402(parameters)
      const settled = await settleAuthorization(context, input)
      return x402Settlement(parameters.requirements, settled)
    },

    async holdX402(parameters) {
      const held = await holdAuthorization(context, checkX402(parameters))
      return { capture: async () => x402Settlement(parameters.requirements, await held.capture()), release: held.release }
    },

    reconcile: (reconcileOptions = {}) => reconcile(context, { olderThanMs: reconcileOptions.olderThanMs ?? 60_000 }),
  }
  registerContext(evmRail, context)
  return evmRail

  /**
   * Every check of an MPP evm/charge credential that needs no chain access, in order; for an `authorization`
   * credential, also what settling it will verify on chain.
   */
  function checkMppCredential({ challenge, payload: rawPayload, source, keep, beforeSubmit }: SettleMppCredentialParameters) {
    const request = Evm.parseRequest(challenge.request)
    const payload = Evm.parsePayload(rawPayload)
    if (!sameAddress(request.currency, token) || request.methodDetails.chainId !== config.chainId)
      throw new InvalidChallengeError(
        `the challenge asks for ${request.currency} on chain ${request.methodDetails.chainId}; this server settles ${token} on chain ${config.chainId}`,
      )
    const now = context.now()
    const expiresAt = challenge.expires === undefined ? undefined : parseExpires(challenge.expires)
    if (expiresAt !== undefined && expiresAt <= now) throw new PaymentExpiredError(`the challenge expired at ${isoTime(expiresAt)}`)
    if (request.methodDetails.splits?.length)
      throw new VerificationFailedError(
        'this challenge has splits, which only permit2 credentials can pay, and this server does not accept permit2',
      )
    if (payload.type === 'authorization') {
      refuseSelfPayment(payload.from, request.recipient)
      refuseBelowServerMinimum(BigInt(request.amount), minimum, 'pay with a "hash" credential: send the transfer from your own wallet')
    }
    const offered = request.methodDetails.credentialTypes ?? ['transaction', 'hash']
    if (payload.type === 'permit2' || !offered.includes(payload.type))
      throw new VerificationFailedError(
        `credential type "${payload.type}" is not accepted here; use one of: ${offered.filter((t) => t !== 'permit2').join(', ')}`,
      )

    const price = { token, recipient: request.recipient, amount: BigInt(request.amount) }
    const details = {
      protocol: 'mpp',
      ...keep,
      challengeId: challenge.id,
      realm: challenge.realm,
      ...(request.externalId ? { externalId: request.externalId } : {}),
    }
    if (payload.type !== 'authorization') return { request, payload, price, details, authorization: null }
    if (source !== undefined && source !== Evm.payerSource(config.chainId, payload.from))
      throw new VerificationFailedError(
        `the credential source ${source} does not name the payer ${payload.from} on chain ${config.chainId}`,
      )
    const latest = expiresAt ?? now + unboundedChallengeWindowSeconds
    const authorization: AuthorizationInput = {
      authorization: payload,
      signature: payload.signature,
      price,
      domain,
      latestValidBefore: {
        at: latest + clockSkewSeconds,
        describe: `${expiresAt === undefined ? `${unboundedChallengeWindowSeconds} s from now` : 'the challenge expiry'} plus ${clockSkewSeconds} s of clock skew`,
      },
      expectedNonce: {
        nonce: Evm.authorizationNonce(challenge.id, challenge.realm),
        describe: 'keccak256(challenge.id ‖ challenge.realm) of this challenge',
      },
      details,
      ...(beforeSubmit ? { beforeSubmit } : {}),
    }
    return { request, payload, price, details, authorization }
  }

  function mppSettlement(
    request: Evm.Request,
    credentialType: CredentialType,
    settled: { txHash: Hex; payer: Address; replayKey: string },
  ): MppSettlement {
    return {
      reference: settled.txHash,
      payer: settled.payer,
      chainId: config.chainId,
      amount: request.amount,
      credentialType,
      replayKey: settled.replayKey,
      ...(request.externalId !== undefined ? { externalId: request.externalId } : {}),
    }
  }

  /** Every check of an x402 exact payment that needs no chain access; returns what settling it will verify on chain. */
  function checkX402({ requirements, payload, keep, beforeSubmit }: SettleX402Parameters): AuthorizationInput {
    assertOurRequirements(requirements)
    const mismatch = describeMismatch(payload.accepted, requirements)
    if (mismatch) throw new VerificationFailedError(`the payment accepted different terms than offered: ${mismatch}`)
    if (!PaymentSignature.isEip3009(payload.payload))
      throw new VerificationFailedError('only the eip3009 asset transfer method is accepted here (not permit2)')
    const { authorization, signature } = payload.payload
    refuseSelfPayment(authorization.from, requirements.payTo)
    refuseBelowServerMinimum(
      BigInt(requirements.amount),
      minimum,
      'x402 exact is not offered at this price: pay with MPP (WWW-Authenticate: Payment) and a "hash" credential',
    )
    const now = context.now()
    return {
      authorization,
      signature,
      price: { recipient: requirements.payTo, amount: BigInt(requirements.amount) },
      domain,
      latestValidBefore: {
        at: now + BigInt(requirements.maxTimeoutSeconds) + clockSkewSeconds,
        describe: `maxTimeoutSeconds (${requirements.maxTimeoutSeconds} s) from now plus ${clockSkewSeconds} s of clock skew`,
      },
      details: { ...keep, protocol: 'x402', network: requirements.network },
      ...(beforeSubmit ? { beforeSubmit } : {}),
    }
  }

  function x402Settlement(
    requirements: PaymentRequirements.ExactEvm,
    settled: { txHash: Hex; payer: Address; replayKey: string },
  ): X402Settlement {
    return {
      transaction: settled.txHash,
      payer: settled.payer,
      network: requirements.network,
      amount: requirements.amount,
      replayKey: settled.replayKey,
    }
  }

  /** Requirements the gate passes must be ones this rail could have offered. */
  function assertOurRequirements(requirements: PaymentRequirements.ExactEvm) {
    const chainId = PaymentRequirements.chainIdOf(requirements.network)
    if (
      requirements.scheme !== 'exact' ||
      chainId !== config.chainId ||
      !sameAddress(requirements.asset, token) ||
      requirements.extra.name !== config.tokenName ||
      requirements.extra.version !== config.tokenVersion
    )
      throw new InvalidChallengeError(`these payment requirements are not for ${token} on eip155:${config.chainId}`)
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase()
}

function parseExpires(expires: string): bigint {
  const ms = Date.parse(expires)
  if (Number.isNaN(ms)) throw new InvalidChallengeError(`the challenge expiry "${expires}" is not an RFC 3339 timestamp`)
  return BigInt(Math.floor(ms / 1000))
}

/** Names the first field where what the payer accepted differs from what we offered. */
function describeMismatch(accepted: PaymentSignature.Accepted, requirements: PaymentRequirements.ExactEvm): string | undefined {
  if (accepted.network !== requirements.network) return `network ${accepted.network} instead of ${requirements.network}`
  if (!sameAddress(accepted.asset, requirements.asset)) return `asset ${accepted.asset} instead of ${requirements.asset}`
  if (!sameAddress(accepted.payTo, requirements.payTo)) return `payTo ${accepted.payTo} instead of ${requirements.payTo}`
  if (accepted.amount !== requirements.amount) return `amount ${accepted.amount} instead of ${requirements.amount}`
  if (!PaymentSignature.matchAccepted(accepted, [requirements])) return 'the accepted requirements differ from the offered ones'
  return undefined
}
