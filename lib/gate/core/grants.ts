// Access grants: what a paid delivery leaves behind. A window policy keeps the resource open for its
// minutes; a one-time policy leaves none (the paid response was the one delivery). After a paid request
// whose delivery failed, the payer may fetch the resource once more within a day.
import * as Grants from '@/lib/store/grants'
import * as Payments from '@/lib/store/payments'
import type { AccessPolicy } from '@/lib/store/schema'
import { grantKeyOf } from '../grant-scope'
import type { Gate, IssuedGrant, PricedResource } from '../types'

export type GrantTerms = { expiresAt: Date | null; usesLeft: number | null }

export function grantTerms(policy: AccessPolicy, now: Date): GrantTerms | null {
  if (policy.kind === 'window') return { expiresAt: new Date(now.getTime() + policy.minutes * 60_000), usesLeft: null }
  return null
}

export function retryGrantTerms(now: Date): { expiresAt: Date; usesLeft: number } {
  return { expiresAt: new Date(now.getTime() + 24 * 3_600_000), usesLeft: 1 }
}

/**
 * Issues the grant `terms` allow for a payment of `resource`. `preparedTokenHash`: the payer already holds the
 * token (a card checkout set the cookie up front), so the grant is stored for it and nothing new is handed out.
 */
export async function issueGrant(
  gate: Gate,
  resource: PricedResource,
  payment: Payments.Payment,
  terms: GrantTerms | null,
  preparedTokenHash?: string,
): Promise<IssuedGrant | null> {
  if (!terms) return null
  const key = grantKeyOf(resource)
  if (preparedTokenHash) {
    await Grants.issueWithHash(gate.db, { tokenHash: preparedTokenHash, paymentId: payment.id, resourceKey: key, ...terms })
    return null
  }
  const { token } = await Grants.issue(gate.db, { paymentId: payment.id, resourceKey: key, ...terms })
  return { token, key, expiresAt: terms.expiresAt }
}

/** The payment behind a valid grant token for `resource`, or undefined when the token opens nothing (null: a grant without a payment row). */
export async function redeemGrant(gate: Gate, token: string, resource: PricedResource): Promise<Payments.Payment | null | undefined> {
  const grant = await Grants.redeem(gate.db, token, grantKeyOf(resource), gate.clock.now())
  if (!grant) return undefined
  return Payments.getById(gate.db, grant.paymentId)
}
