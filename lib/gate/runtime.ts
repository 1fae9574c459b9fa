// The process-wide gate of the route handlers, from the environment: configuration, database, the EVM
// (charges, and sessions when an escrow is configured) and Stripe rails as payment methods. Built once per
// process; background jobs build their own (background-jobs.ts).
import * as EvmRail from '@/lib/rails/evm'
import * as SessionRail from '@/lib/rails/evm/session'
import * as StripeRail from '@/lib/rails/stripe'
import { getDb } from '@/lib/store/db'
import { loadGateConfig, type GateConfig } from './config'
import { createGate } from './create-gate'
import { evmChargeMethod, x402ExactAdapter } from './methods/evm-charge'
import { evmSessionMethod } from './methods/evm-session'
import { createMethodRegistry } from './methods/registry'
import { stripeChargeMethod } from './methods/stripe-charge'
import { RateLimiter } from './rate-limit'
import { merchantSettlementQuota } from './settlement-quota'
import type { Gate, PaymentMethod, X402Adapter } from './types'

/** The gate plus the rails behind its methods (the card checkout and refunds talk to Stripe directly; the dashboard settles and closes channels). */
export type GateRuntime = Gate & {
  evm: EvmRail.EvmRail | null
  sessions: SessionRail.SessionRail | null
  stripe: StripeRail.StripeRail | null
}

/** A gate built from the environment (each call builds a new one; the database handle is shared by the process). */
export async function createRuntime(): Promise<GateRuntime> {
  const config = loadGateConfig()
  const db = await getDb()
  const evm = process.env.EVM_RPC_URL ? EvmRail.createEvmRail(EvmRail.loadEvmConfig(), db) : null
  const stripeConfig = StripeRail.loadStripeConfig()
  const stripe = stripeConfig ? StripeRail.createStripeRail(stripeConfig, db) : null
  const methods: PaymentMethod[] = []
  let x402: X402Adapter | null = null
  // Sessions share the charge rail's chain access and settler (one key, one nonce sequence).
  const sessions = evm?.config.escrowAddress ? SessionRail.createSessionRail({ evmRail: evm, db }) : null
  if (evm) {
    // Settlements the server pays gas for are capped per merchant and minute.
    const quota = (resource: Parameters<typeof merchantSettlementQuota>[2]) =>
      merchantSettlementQuota(db, config.settlementsPerMerchantPerMinute, resource)
    methods.push(evmChargeMethod(evm, quota))
    x402 = x402ExactAdapter(evm, quota)
  }
  if (sessions) methods.push(evmSessionMethod(sessions))
  if (stripe) methods.push(stripeChargeMethod(stripe))
  return {
    ...createGate({ config, db, methods: createMethodRegistry(methods, x402), limits: processRateLimits(config) }),
    evm,
    sessions,
    stripe,
  }
}

const globalLimits = globalThis as unknown as { __tollgateRateLimits?: Gate['limits'] }

/**
 * One set of rate limiters per server process: the route handlers and server.mjs's fast path (fast-path.ts)
 * are separate module graphs with a gate each, and a client must not get a limit from each.
 */
function processRateLimits(config: GateConfig): Gate['limits'] {
  globalLimits.__tollgateRateLimits ??= {
    challenges: new RateLimiter(config.rateLimit.challengesPerMinute),
    credentials: new RateLimiter(config.rateLimit.credentialsPerMinute),
    vouchers: new RateLimiter(config.rateLimit.vouchersPerMinute ?? 600),
  }
  return globalLimits.__tollgateRateLimits
}

/**
 * One gate per module graph: Next's route bundles share one (hence globalThis), but server.mjs's fast path is
 * bundled on its own (scripts/build-fast-path.ts defines TOLLGATE_MODULE_GRAPH), and a gate built there throws
 * error classes the routes' `instanceof` checks do not know.
 */
const gateKey = `tollgate-gate:${process.env.TOLLGATE_MODULE_GRAPH ?? 'next'}`
const globalGates = globalThis as unknown as Record<string, Promise<GateRuntime> | undefined>

export function getGate(): Promise<GateRuntime> {
  globalGates[gateKey] ??= createRuntime().catch((error) => {
    globalGates[gateKey] = undefined
    throw error
  })
  return globalGates[gateKey]
}
