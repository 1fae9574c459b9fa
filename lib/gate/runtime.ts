// The process-wide gate: configuration, database and rails, created once per process.
import { parseUnits } from 'viem'
import { startHoldSweeper } from '@/lib/links/release-expired-holds'
import * as Money from '@/lib/money'
import * as EvmRail from '@/lib/rails/evm'
import * as StripeRail from '@/lib/rails/stripe'
import { getDb } from '@/lib/store/db'
import { startWebhookWorker } from '@/lib/webhooks/worker'
import { confirmUnderwayHolds } from './card-holds'
import { ChallengeStats } from './challenge-stats'
import { loadGateConfig } from './config'
import type { Gate } from './gate'
import * as PreparedPayment from './prepared-payment'
import type { PricedResource } from './priced-resource'
import type { MppRail, X402Rail } from './rails'
import { recordReconciled, recordUnrecorded, saleFacts } from './reconciled-payments'
import { RateLimiter } from './rate-limit'
import { merchantSettlementQuota } from './settlement-quota'

export type GateRuntime = Gate & { evm: EvmRail.EvmRail | null; stripe: StripeRail.StripeRail | null }

const RECONCILE_INTERVAL_MS = 30_000

/** x402 `maxTimeoutSeconds`: how long an authorization we accept may stay valid. */
const X402_MAX_TIMEOUT_SECONDS = 300

/** The check run before the settler pays gas for a payment of a resource (none: no limit). */
type BeforeSubmit = (resource: PricedResource) => (() => Promise<void>) | undefined

function evmAdapters(rail: EvmRail.EvmRail, beforeSubmitOf: BeforeSubmit): { mpp: MppRail; x402: X402Rail } {
  const amountOf = (resource: PricedResource) => parseUnits(resource.priceUsd, rail.config.tokenDecimals)
  const guard = (resource: PricedResource) => {
    const beforeSubmit = beforeSubmitOf(resource)
    return beforeSubmit ? { beforeSubmit } : {}
  }
  return {
    mpp: {
      name: 'evm',
      currency: rail.config.tokenAddress,
      chargeRequest: (resource) => rail.chargeRequest({ amount: amountOf(resource), recipient: resource.recipient }),
      settle: async ({ challenge, payload, source, resource }) => {
        const s = await rail.settleMppCredential({
          challenge,
          payload,
          ...(source ? { source } : {}),
          keep: saleFacts(resource),
          ...guard(resource),
        })
        return {
          settlementKey: s.replayKey,
          method: 'evm',
          reference: s.reference,
          payer: s.payer,
          amount: s.amount,
          currency: rail.config.tokenAddress,
          receiptFields: { chainId: s.chainId, ...(s.externalId ? { externalId: s.externalId } : {}) },
        }
      },
    },
    x402: {
      requirements: (resource) => {
        const amount = amountOf(resource)
        // x402 exact is always server-submitted: below the minimum it is not offered at all.
        if (!rail.serverSubmits(amount)) return null
        return rail.x402Requirements({ amount, recipient: resource.recipient, maxTimeoutSeconds: X402_MAX_TIMEOUT_SECONDS })
      },
      settle: async ({ payment, requirements, resource }) => {
        const s = await rail.settleX402({ requirements, payload: payment, keep: saleFacts(resource), ...guard(resource) })
        return {
          settlementKey: s.replayKey,
          method: 'evm',
          reference: s.transaction,
          payer: s.payer,
          amount: s.amount,
          currency: rail.config.tokenAddress,
          receiptFields: { chainId: rail.config.chainId },
          network: s.network,
        }
      },
    },
  }
}

function stripeAdapter(rail: StripeRail.StripeRail): MppRail {
  return {
    name: 'stripe',
    currency: 'usd',
    chargeRequest: (resource) => {
      const cents = Money.usdToCents(resource.priceUsd)
      return cents === null ? null : rail.chargeRequest({ amountCents: cents })
    },
    settle: async ({ challenge, payload, resource }) => {
      const s = await rail.settleMppCredential({ challenge, payload, linkId: resource.linkId ?? resource.key })
      const prepared = PreparedPayment.fromMetadata(s.paymentIntent.metadata)
      return {
        settlementKey: s.settlementKey,
        method: 'stripe',
        reference: s.reference,
        payer: null,
        amount: s.amount,
        currency: s.currency,
        receiptFields: s.receiptFields,
        ...(prepared ? { paymentId: prepared.paymentId, grantTokenHash: prepared.grantTokenHash } : {}),
      }
    },
  }
}

async function createRuntime(): Promise<GateRuntime> {
  const config = loadGateConfig()
  const db = await getDb()
  const evm = process.env.EVM_RPC_URL ? EvmRail.createEvmRail(EvmRail.loadEvmConfig(), db) : null
  const stripeConfig = StripeRail.loadStripeConfig()
  const stripe = stripeConfig ? StripeRail.createStripeRail(stripeConfig, db) : null
  const rails: MppRail[] = []
  let x402: X402Rail | null = null
  if (evm) {
    const adapters = evmAdapters(evm, (resource) => merchantSettlementQuota(db, config.settlementsPerMerchantPerMinute, resource))
    rails.push(adapters.mpp)
    x402 = adapters.x402
  }
  if (stripe) rails.push(stripeAdapter(stripe))
  // Card holds of capped links that expired unpaid give their slots back (every instance sweeps; releases happen once).
  if (stripe) startHoldSweeper(db, () => confirmUnderwayHolds(db, stripe))
  // Every instance delivers due merchant webhooks (rows are claimed atomically, so they share the work).
  startWebhookWorker(db)
  const runtime: GateRuntime = {
    config,
    db,
    rails,
    x402,
    evm,
    stripe,
    stats: new ChallengeStats(db),
    limits: {
      challenges: new RateLimiter(config.rateLimit.challengesPerMinute),
      credentials: new RateLimiter(config.rateLimit.credentialsPerMinute),
    },
  }
  if (evm) {
    // Settlements a crash left half-done are finished from the chain, and their payments recorded: at
    // start, then periodically (the rail only judges records idle for a minute, so in-flight ones of
    // other instances are safe).
    const reconcile = () =>
      void evm
        .reconcile()
        .then((result) => recordReconciled(runtime, result.settled))
        .then(() => recordUnrecorded(runtime))
        .catch(() => {})
    reconcile()
    setInterval(reconcile, RECONCILE_INTERVAL_MS).unref()
  }
  return runtime
}

const globalGate = globalThis as unknown as { __tollgateGate?: Promise<GateRuntime> }

export function getGate(): Promise<GateRuntime> {
  globalGate.__tollgateGate ??= createRuntime().catch((error) => {
    globalGate.__tollgateGate = undefined
    throw error
  })
  return globalGate.__tollgateGate
}
