// People, not programs: a browser navigating to a priced URL gets the same 402 (same challenges)
// with a small static HTML body that sends it on to the checkout page. No script, no merchant text.

/**
 * A top-level browser navigation: `Accept` ranks text/html above JSON, and `Sec-Fetch-Mode` is
 * `navigate` (or absent, for browsers that do not send it, when text/html is listed first).
 */
export function isBrowserNavigation(request: Request): boolean {
  if (request.method !== 'GET') return false
  const mode = request.headers.get('sec-fetch-mode')
  if (mode !== null && mode !== 'navigate') return false
  const accept = request.headers.get('accept') ?? ''
  // Most agents never list HTML: skip ranking their Accept.
  if (!/text\/html/i.test(accept)) return false
  const ranked = rankAccept(accept)
  const html = ranked.find((r) => r.type === 'text/html')
  if (!html || html.q === 0) return false
  // Without Sec-Fetch-Mode only a browser-like Accept (text/html first) counts.
  if (mode === null && ranked[0]?.type !== 'text/html') return false
  const json = Math.max(0, ...ranked.filter((r) => r.type === 'application/json' || r.type === 'application/problem+json').map((r) => r.q))
  return html.q > json
}

/** Where the checkout for this request lives: `/pay?u=<the request's own path and query>`. */
export function checkoutPath(request: Request): string {
  const url = new URL(request.url)
  return `/pay?u=${encodeURIComponent(url.pathname + url.search)}`
}

/** The 402 for a browser: the agent's headers (challenges, PAYMENT-REQUIRED) with an HTML body instead of problem+json. */
export function toCheckoutDocument(response: Response, request: Request): Response {
  return new Response(checkoutDocument(checkoutPath(request)), { status: response.status, headers: documentHeaders(response.headers) })
}

/** A static page: a meta refresh plus a visible link, so it works with scripts disabled. */
export function checkoutDocument(checkoutHref: string): string {
  const href = escapeHtml(checkoutHref)
  return htmlPage({
    title: 'Payment required',
    head: `<meta http-equiv="refresh" content="0; url=${href}">`,
    body: `<p>This page costs a small payment. <a href="${href}">Continue to checkout</a>.</p>`,
  })
}

/** A non-payment problem (404, 410) for a person: the same status with a readable page instead of JSON. */
export async function problemForBrowser(request: Request, response: Response): Promise<Response> {
  if (!isBrowserNavigation(request) || !response.headers.get('content-type')?.startsWith('application/problem+json')) return response
  const problem = (await response.json().catch(() => ({}))) as { title?: unknown; detail?: unknown }
  const title = typeof problem.title === 'string' ? problem.title : 'Unavailable'
  const detail = typeof problem.detail === 'string' ? problem.detail : ''
  const headers = documentHeaders(response.headers)
  return new Response(htmlPage({ title, body: `<p>${escapeHtml(detail)}</p>\n<p><a href="/">Tollgate home</a></p>` }), {
    status: response.status,
    headers,
  })
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function documentHeaders(from: Headers): Headers {
  const headers = new Headers(from)
  headers.set('content-type', 'text/html; charset=utf-8')
  headers.set('cache-control', 'no-store')
  headers.set('vary', 'Accept, Sec-Fetch-Mode')
  headers.set(
    'content-security-policy',
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  )
  headers.set('x-content-type-options', 'nosniff')
  headers.set('referrer-policy', 'same-origin')
  headers.delete('content-length')
  return headers
}

/** `title` is escaped here; `head` and `body` must already be safe HTML. */
function htmlPage(parts: { title: string; head?: string; body: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
${parts.head ?? ''}
<title>${escapeHtml(parts.title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:48px 20px;color:#17181c;background:#f7f7f5}main{max-width:480px;margin:0 auto}a{color:#1f5eff}</style>
</head>
<body>
<main>
<h1>${escapeHtml(parts.title)}</h1>
${parts.body}
</main>
</body>
</html>
`
}

type Ranked = { type: string; q: number }

/** Media ranges from an Accept header with their q-values, highest first (stable for ties). */
function rankAccept(accept: string): Ranked[] {
  const ranked: Ranked[] = []
  for (const part of accept.split(',')) {
    const [range, ...params] = part.split(';')
    const type = range?.trim().toLowerCase()
    if (!type) continue
    let q = 1
    for (const param of params) {
      const [name, value] = param.split('=')
      if (name?.trim().toLowerCase() === 'q') {
        const parsed = Number(value?.trim())
        q = Number.isFinite(parsed) ? Math.min(1, Math.max(0, parsed)) : 0
      }
    }
    ranked.push({ type, q })
  }
  return ranked
    .map((r, i) => ({ r, i }))
    .sort((a, b) => b.r.q - a.r.q || a.i - b.i)
    .map(({ r }) => r)
}
