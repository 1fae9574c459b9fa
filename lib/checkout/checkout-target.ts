// The `u` of /pay?u=…: which same-origin URL the checkout pays for. Anything else is refused, so the
// page can never be pointed at another site or smuggle a scheme into a fetch.

export type CheckoutTarget = {
  /** Path and query on this origin, e.g. `/l/demo` or `/api/examples/joke?lang=en`. */
  path: string
  /** The link slug when the target is a payment link (`/l/{slug}`), lower-cased. */
  slug: string | null
}

export const maxTargetLength = 2048

/** Parses `u`; returns null unless it is an absolute path on this origin. */
export function parseCheckoutTarget(u: unknown): CheckoutTarget | null {
  if (typeof u !== 'string' || u.length === 0 || u.length > maxTargetLength) return null
  // A path, not a scheme-relative URL ("//host", "/\host") and no characters a URL parser would drop or fold.
  if (!u.startsWith('/') || u.startsWith('//') || /[\\\u0000-\u001f\u007f\s]/.test(u)) return null
  const base = 'http://checkout.invalid'
  let url: URL
  try {
    url = new URL(u, base)
  } catch {
    return null
  }
  // Checked after normalising too: dot segments can leave a scheme-relative path behind ("/..//host" is "//host").
  if (url.origin !== base || url.hash || url.pathname.startsWith('//')) return null
  const path = url.pathname + url.search
  const link = /^\/l\/([A-Za-z0-9-]{1,64})$/.exec(url.pathname)
  return { path, slug: link ? link[1]!.toLowerCase() : null }
}
