// `evm`/`session` over the session rail: a resource sold by the unit (a request, a token) through payment
// channels. The rail verifies each credential and keeps the channel's books in one conditional statement;
// this adapter prices the resource per unit in token units and hands the core the rail's receipt — no
// payment row and no grant: the channel is the ledger, and every request carries its own voucher.
import { type Hex, isAddressEqual, parseUnits } from 'viem'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import * as SessionRail from '@/lib/rails/evm/session'
import type { Accepted, Paid, PaymentMethod, PricedResource } from '../types'
import { notifyBalanceChanged, type SessionPayment } from '../session-meter'

/** What the delivery of a session-paid request learns (`Accepted.context`): the channel, to meter a stream. */
/** The session payment that unlocked a delivery, if one did. */
export function sessionPaymentOf(paid: Paid | undefined): SessionPayment | null {
  const context = paid?.accepted?.context as SessionPayment | undefined
  return context?.kind === 'evm-session' ? context : null
}

/** Why a resource priced as a session cannot be sold here, or null when it can. */
export function sessionRecipientProblem(sessions: Pick<SessionRail.SessionRail, 'payee'>, recipient: string): string | null {
  return isAddressEqual(recipient as Hex, sessions.payee) ? null : sessionRecipientMessage(sessions.payee)
}

export function sessionRecipientMessage(payee: string): string {
  return `sessions pay the server's settlement account ${payee}; set the recipient to it, or price per call`
}

export function evmSessionMethod(sessions: SessionRail.SessionRail): PaymentMethod {
  const decimals = sessions.config.tokenDecimals
  const units = (usd: string | undefined) => (usd === undefined ? undefined : parseUnits(usd, decimals))
  return {
    method: EvmSession.method,
    intent: EvmSession.intent,
    currency: sessions.config.tokenAddress,
    request: (resource: PricedResource) => {
      const terms = resource.session
      // The escrow lets only a channel's payee settle it: other recipients are not offered sessions at all.
      if (!terms || sessionRecipientProblem(sessions, resource.recipient)) return null
      try {
        return sessions.request({
          amountPerUnit: parseUnits(resource.priceUsd, decimals),
          unitType: terms.unitType,
          suggestedDeposit: units(terms.suggestedDepositUsd),
          minVoucherDelta: units(terms.minVoucherDeltaUsd),
          recipient: resource.recipient,
        })
      } catch (error) {
        // The escrow was found unusable: no session offer until the server is fixed (it logs why).
        if (error instanceof SessionRail.SessionConfigError) return null
        throw error
      }
    },
    settle: async ({ challenge, payload, source, resource, idempotencyKey, units: requested }): Promise<Accepted> => {
      const count = requested ?? resource.session?.unitsPerRequest ?? 1
      const accepted = await sessions.accept({
        challenge: {
          id: challenge.id,
          realm: challenge.realm,
          request: challenge.request,
          ...(challenge.expires ? { expires: challenge.expires } : {}),
        },
        payload,
        ...(source ? { source } : {}),
        units: count,
        ...(idempotencyKey ? { idempotencyKey } : {}),
        owner: {
          resourceKey: resource.key,
          ...(resource.linkId ? { linkId: resource.linkId } : {}),
          ...(resource.merchantId ? { merchantId: resource.merchantId } : {}),
        },
      })
      // A paused stream on this channel may now go on (in this process; others poll the database).
      if (!accepted.duplicate) notifyBalanceChanged(accepted.channelId)
      const context: SessionPayment = {
        kind: 'evm-session',
        sessions,
        channelId: accepted.channelId,
        challengeId: challenge.id,
        // The rail accepted the credential, so it parsed this request already (amount: a base-unit integer string).
        amountPerUnit: BigInt((challenge.request as EvmSession.Request.Request).amount),
        units: count,
        receipt: accepted.receipt,
      }
      // A request that consumes nothing (a HEAD voucher) only manages the payment: its answer is the receipt.
      return { kind: 'accepted', receipt: accepted.receipt, serves: count === 0 ? 'receipt' : accepted.serves, context }
    },
  }
}
