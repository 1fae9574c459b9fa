import type { Address } from 'viem'
import type { AccessPolicy } from '@/lib/store/schema'

export type RailName = 'evm' | 'stripe'

/** Anything the gate can sell: a payment link or a `withPayment` route. */
export type PricedResource = {
  /** Stable identity used for challenge binding, grants and payments: `link:<id>` or `route:<METHOD> <path>`. */
  key: string
  /** Public URL of the resource (x402 `resource.url`, checkout page). */
  url: string
  priceUsd: string
  recipient: Address
  rails: readonly RailName[]
  title?: string
  description?: string
  mimeType?: string
  linkId?: string | null
  merchantId?: string | null
  accessPolicy: AccessPolicy
  /**
   * Set when a grant for this resource must also match the terms it was bought at (withPayment routes,
   * whose price may depend on the request): a digest of those terms. See grant-scope.ts.
   */
  grantScope?: string
  /**
   * For resources with a sales cap: takes one sale before money moves, returning how to give it
   * back if the payment fails, or null when sold out.
   */
  reserveSale?: () => Promise<(() => Promise<void>) | null>
}
