// What the gateway reads from a service link: its price table (its rules, the link's price as default)
// and its secret header, opened only to be sent upstream (never logged, never returned by an API).
import { openUpstreamSecret, UpstreamSecretError, UpstreamSecretKeys } from '@/lib/gateway/upstream-secret'
import type { PriceTable } from '@/lib/gateway/price-rules'
import * as Money from '@/lib/money'
import type { Db } from '@/lib/store/db'
import type { Link } from '@/lib/store/links'
import type { ServiceResource } from '@/lib/store/schema'
import * as UpstreamSecrets from '@/lib/store/upstream-secrets'

export type ServiceLink = Link & { resource: ServiceResource }

export function isServiceLink(link: Link): link is ServiceLink {
  return link.resource.kind === 'service'
}

/** The table priceRequest reads: the link's rules and JSON-RPC prices, and its price for everything else. */
export function servicePriceTable(link: ServiceLink): PriceTable {
  return { ...link.resource.pricing, defaultPrice: Money.parseUsd(link.priceUsd) }
}

/**
 * The secret header to add upstream, opened for this link: `{ [name]: value }`, or `{}` when the link has
 * none. Throws UpstreamSecretError when the stored value cannot be opened (the server secret changed
 * without MPP_SECRET_KEY_PREVIOUS): a failed delivery the merchant must fix by entering the key again.
 */
export async function serviceSecretHeaders(db: Db, link: ServiceLink, keys?: UpstreamSecretKeys): Promise<Record<string, string>> {
  const header = link.resource.secretHeader
  if (!header) return {}
  const sealed = await UpstreamSecrets.getSealed(db, link.id)
  if (!sealed) throw new UpstreamSecretError('missing', `the upstream API key of this link is missing; enter it again`)
  return { [header.name]: openUpstreamSecret(sealed, keys ?? UpstreamSecretKeys.fromEnv(), link.id) }
}
