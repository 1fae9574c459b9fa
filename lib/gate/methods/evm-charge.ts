// `evm`/`charge` (MPP) and x402 `exact` over the EVM rail: the rail verifies and settles; these adapters
// price a resource in token units and keep what was sold with the settlement record.
import { parseUnits } from 'viem'
import * as Evm from '@/lib/protocol/methods/evm'
import type * as EvmRail from '@/lib/rails/evm'
import { saleFacts } from '../sale'
import { methodKey, type PaymentMethod, type PricedResource, type X402Adapter } from '../types'

/** x402 `maxTimeoutSeconds`: how long an authorization we accept may stay valid. */
const X402_MAX_TIMEOUT_SECONDS = 300

/** The check run before the settler pays gas for a payment of a resource (undefined: no limit). */
export type BeforeSubmit = (resource: PricedResource) => (() => Promise<void>) | undefined

function tokenAmount(rail: EvmRail.EvmRail, resource: PricedResource): bigint {
  return parseUnits(resource.priceUsd, rail.config.tokenDecimals)
}

function guard(beforeSubmitOf: BeforeSubmit, resource: PricedResource): { beforeSubmit?: () => Promise<void> } {
  const beforeSubmit = beforeSubmitOf(resource)
  return beforeSubmit ? { beforeSubmit } : {}
}

export function evmChargeMethod(rail: EvmRail.EvmRail, beforeSubmitOf: BeforeSubmit = () => undefined): PaymentMethod {
  return {
    method: Evm.method,
    intent: Evm.intent,
    currency: rail.config.tokenAddress,
    request: (resource) => rail.chargeRequest({ amount: tokenAmount(rail, resource), recipient: resource.recipient }),
    settle: async ({ challenge, payload, source, resource }) => {
      const s = await rail.settleMppCredential({
        challenge,
        payload,
        ...(source ? { source } : {}),
        keep: saleFacts(resource),
        ...guard(beforeSubmitOf, resource),
      })
      return {
        settlementKey: s.replayKey,
        method: Evm.method,
        reference: s.reference,
        payer: s.payer,
        amount: s.amount,
        currency: rail.config.tokenAddress,
        receiptFields: { chainId: s.chainId, ...(s.externalId ? { externalId: s.externalId } : {}) },
      }
    },
  }
}

export function x402ExactAdapter(rail: EvmRail.EvmRail, beforeSubmitOf: BeforeSubmit = () => undefined): X402Adapter {
  return {
    over: methodKey(Evm.method, Evm.intent),
    requirements: (resource) => {
      const amount = tokenAmount(rail, resource)
      // x402 exact is always server-submitted: below the minimum it is not offered at all.
      if (!rail.serverSubmits(amount)) return null
      return rail.x402Requirements({ amount, recipient: resource.recipient, maxTimeoutSeconds: X402_MAX_TIMEOUT_SECONDS })
    },
    settle: async ({ payment, requirements, resource }) => {
      const s = await rail.settleX402({ requirements, payload: payment, keep: saleFacts(resource), ...guard(beforeSubmitOf, resource) })
      return {
        settlementKey: s.replayKey,
        method: Evm.method,
        reference: s.transaction,
        payer: s.payer,
        amount: s.amount,
        currency: rail.config.tokenAddress,
        receiptFields: { chainId: rail.config.chainId },
        network: s.network,
      }
    },
  }
}
