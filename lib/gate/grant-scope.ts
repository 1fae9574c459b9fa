// What an access grant unlocks. A link sells one thing whatever its price, so its grants name the link.
// A withPayment route's price can depend on the request (`?size=large` costs more) while its resource key
// is only method + path, so its grants also name the terms it was bought at: the price, the recipient and,
// for a price function, the query string it was computed from. Paying for `?size=small` then opens only that.
import { createHash } from 'node:crypto'
import * as Jcs from '@/lib/protocol/Jcs'

export type PriceTerms = {
  priceUsd: string
  recipient: string
  /** What else the price was computed from (a price function's normalized query string), or absent. */
  variant?: string
}

/** A short digest of the terms: 128 bits, base64url. */
export function termsDigest(terms: PriceTerms): string {
  const canonical = Jcs.canonicalize({
    amount: terms.priceUsd,
    recipient: terms.recipient.toLowerCase(),
    ...(terms.variant !== undefined ? { variant: terms.variant } : {}),
  })
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22)
}

/** The key grants of a resource are issued for and redeemed against. */
export function grantKeyOf(resource: { key: string; grantScope?: string }): string {
  return resource.grantScope ? `${resource.key}#${resource.grantScope}` : resource.key
}

/** A digest as termsDigest makes it (what a challenge's opaque `grant` may carry). */
export function isTermsDigest(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{22}$/.test(value)
}

/** A query string in one canonical order, so `?b=2&a=1` and `?a=1&b=2` are the same terms. */
export function canonicalQuery(search: string): string {
  const params = new URLSearchParams(search)
  params.sort()
  return params.toString()
}
