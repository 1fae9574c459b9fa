// `evm`/`charge` (MPP) and x402 `exact` over the EVM rail: the rail verifies and settles; these adapters
// price a resource in token units and keep what was sold with the settlement record.
import { parseUnits } from 'viem'
import * as Evm from '@/lib/protocol/methods/evm'
import type * as EvmRail from '@/lib/rails/evm'
import { saleFacts } from '../sale'
import { methodKey, type PaymentMethod, type PricedResource, type SettleInput, type Settled, type X402Adapter } from '../types'

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
  const parameters = ({ challenge, payload, source, resource, protocol }: SettleInput): EvmRail.SettleMppCredentialParameters => ({
    challenge,
    payload,
    ...(source ? { source } : {}),
    // The record remembers an MCP payment as one, so a payment recovered after a crash is recorded as it came.
    keep: { ...saleFacts(resource), ...(protocol === 'mcp' ? { protocol } : {}) },
    ...guard(beforeSubmitOf, resource),
  })
  const settled = (s: EvmRail.MppSettlement): Settled => ({
    settlementKey: s.replayKey,
    method: Evm.method,
    reference: s.reference,
    payer: s.payer,
    amount: s.amount,
    currency: rail.config.tokenAddress,
    receiptFields: { chainId: s.chainId, ...(s.externalId ? { externalId: s.externalId } : {}) },
  })
  return {
    method: Evm.method,
    intent: Evm.intent,
    currency: rail.config.tokenAddress,
    request: (resource) => rail.chargeRequest({ amount: tokenAmount(rail, resource), recipient: resource.recipient }),
    settle: async (input) => settled(await rail.settleMppCredential(parameters(input))),
    // Only an EIP-3009 authorization can wait: a `hash` or `transaction` credential already moved (or signed) the money.
    canHold: (payload) => rail.canHoldMppCredential(payload),
    authorize: async (input) => {
      const held = await rail.holdMppCredential(parameters(input))
      return { capture: async () => settled(await held.capture()), release: held.release }
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
    settle: async ({ payment, requirements, resource }) =>
      x402Settled(await rail.settleX402({ requirements, payload: payment, keep: saleFacts(resource), ...guard(beforeSubmitOf, resource) })),
    authorize: async ({ payment, requirements, resource }) => {
      const held = await rail.holdX402({ requirements, payload: payment, keep: saleFacts(resource), ...guard(beforeSubmitOf, resource) })
      return { capture: async () => x402Settled(await held.capture()), release: held.release }
    },
  }

  function x402Settled(s: EvmRail.X402Settlement): Settled {
    return {
      settlementKey: s.replayKey,
      method: Evm.method,
      reference: s.transaction,
      payer: s.payer,
      amount: s.amount,
      currency: rail.config.tokenAddress,
      receiptFields: { chainId: rail.config.chainId },
      network: s.network,
    } as Settled
  }
}
