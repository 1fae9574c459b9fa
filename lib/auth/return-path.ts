// Where a merchant goes after signing in: the `next` of /signin?next=…, which anyone can write into a link.

const DEFAULT_RETURN_PATH = '/dashboard'
// Any origin works for the check: only the parts a browser keeps on this origin survive it.
const PLACEHOLDER_ORIGIN = 'https://tollgate.invalid'

/**
 * Only a path on this site may be a post-sign-in destination (no open redirect to another one).
 * Parsed as a browser would parse it against `origin` (absolute URLs on that origin included); refused:
 * another origin, control characters and backslashes anywhere (browsers drop or fold them: `/\t/host`,
 * `/\\host` become `//host`), and anything that still normalises to `//host` (`/..//host`). Always
 * answers a path, ASCII only, safe for a Location header.
 */
export function safeReturnPath(path: string | null | undefined, origin: string = PLACEHOLDER_ORIGIN): string {
  if (typeof path !== 'string' || path.length === 0 || path.length > 500) return DEFAULT_RETURN_PATH
  if (/[\u0000-\u001f\u007f-\u009f\\]/.test(path)) return DEFAULT_RETURN_PATH
  let url: URL
  try {
    url = new URL(path, origin)
  } catch {
    return DEFAULT_RETURN_PATH
  }
  if (url.origin !== new URL(origin).origin || url.username || url.password) return DEFAULT_RETURN_PATH
  const local = `${url.pathname}${url.search}${url.hash}`
  return local.startsWith('/') && !local.startsWith('//') ? local : DEFAULT_RETURN_PATH
}
