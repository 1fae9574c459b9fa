// The cap on settlements the server submits and pays gas for, per merchant and minute. It runs only
// once a credential passed every check (never on the unpaid 402 path), and in the shared database, so
// N instances still allow one merchant N-fold nothing: the settler's gas is one account's.
import type { Db } from '@/lib/store/db'
import * as SettlementQuota from '@/lib/store/settlement-quota'
import type { PricedResource } from './types'

/** Over the cap: answered 429 with Retry-After, and nothing was claimed or submitted. */
export class SettlementQuotaExceededError extends Error {
  override name = 'SettlementQuotaExceededError'
  constructor(
    readonly detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(detail)
  }
}

/**
 * The check to run just before the settler submits a payment of `resource`, or undefined when it is not a
 * merchant's link (the operator's own withPayment routes are priced by the operator, who pays that gas).
 */
export function merchantSettlementQuota(db: Db, limitPerMinute: number, resource: PricedResource): (() => Promise<void>) | undefined {
  const merchantId = resource.merchantId
  if (!merchantId) return undefined
  return async () => {
    const result = await SettlementQuota.take(db, { scope: `merchant:${merchantId}`, limit: limitPerMinute })
    if (!result.taken)
      throw new SettlementQuotaExceededError(
        `This merchant's payments that the server settles on chain are limited to ${limitPerMinute} a minute; retry in ${result.retryAfterSeconds} seconds. Nothing was charged.`,
        result.retryAfterSeconds,
      )
  }
}
