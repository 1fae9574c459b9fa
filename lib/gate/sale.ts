// What was sold, kept with a settlement record so its payment can be recorded without the request that
// paid for it (reconcile after a crash, or a payment a request never got to record).
import type { PricedResource } from './types'

export type Sale = { key: string; priceUsd: string; linkId: string | null; merchantId: string | null }

/** The facts a rail keeps with its settlement record (`keep`) for a payment of `resource`. */
export function saleFacts(resource: PricedResource): { sale: Sale } {
  return {
    sale: { key: resource.key, priceUsd: resource.priceUsd, linkId: resource.linkId ?? null, merchantId: resource.merchantId ?? null },
  }
}

/** The sale a settlement record kept, or null when it kept none (settled by a version that did not). */
export function saleOf(details: Record<string, unknown> | undefined): Sale | null {
  const sale = details?.sale as Partial<Sale> | undefined
  if (!sale || typeof sale.key !== 'string' || typeof sale.priceUsd !== 'string') return null
  return {
    key: sale.key,
    priceUsd: sale.priceUsd,
    linkId: typeof sale.linkId === 'string' ? sale.linkId : null,
    merchantId: typeof sale.merchantId === 'string' ? sale.merchantId : null,
  }
}
