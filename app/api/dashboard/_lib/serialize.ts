// What the dashboard API returns for our rows: never a webhook secret, never file bytes.
import * as Links from '@/lib/links'
import { loadMinSettlementUsd } from '@/lib/rails/evm/Config'
import type { Merchant } from '@/lib/store/merchants'

export function publicMerchant(merchant: Merchant) {
  return {
    id: merchant.id,
    address: merchant.address,
    name: merchant.name,
    createdAt: merchant.createdAt,
    webhookConfigured: merchant.webhookUrl !== null,
  }
}

export function linkJson(link: Links.Link | Links.LinkWithStats, publicUrl: URL) {
  const paymentsCount = 'paymentsCount' in link ? link.paymentsCount : undefined
  return {
    ...link,
    url: new URL(`/l/${link.slug}`, publicUrl).toString(),
    /** What the merchant should know about this link's terms (e.g. a price below the server-settlement minimum). */
    notices: Links.priceNotices(link, loadMinSettlementUsd()),
    ...(paymentsCount === undefined ? {} : { availability: Links.linkAvailability(link, paymentsCount) }),
  }
}
