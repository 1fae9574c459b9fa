// Unpaid requests for a payment link, answered by the production server (server.mjs) before Next.js routes
// them: the same handler as the /l/[slug] route, minus Next's routing of a dynamic segment (most of the cost
// of a 402). Bundled on its own by scripts/build-fast-path.ts. A request that carries money or a grant
// cookie, or anything else, goes through Next as before, so payments settle in one place.
import { handleLinkRequest } from './link-request'

const linkPath = /^\/l\/([A-Za-z0-9-]{1,64})(?:\?|$)/
/** Grant cookies are named tg_<digest> (lib/gate/http/grant-cookie.ts). */
const grantCookie = /(?:^|;)\s*tg_/

type RawHeaders = Record<string, string | string[] | undefined>

/** The slug when the fast path answers this request (GET or HEAD of /l/{slug}, no credential, no grant cookie); null otherwise. */
export function fastLinkSlug(method: string | undefined, url: string | undefined, headers: RawHeaders): string | null {
  if ((method !== 'GET' && method !== 'HEAD') || !url) return null
  const slug = linkPath.exec(url)?.[1]
  if (!slug) return null
  if (headers.authorization !== undefined || headers['payment-authorization'] !== undefined || headers['payment-signature'] !== undefined)
    return null
  const cookie = headers.cookie
  if (cookie !== undefined && grantCookie.test(Array.isArray(cookie) ? cookie.join(';') : cookie)) return null
  return slug
}

export function answerLinkRequest(request: Request, slug: string): Promise<Response> {
  return handleLinkRequest(request, slug)
}

type Captured = { body: ArrayBuffer; headers: Array<[string, string]> }
let captured: Promise<Captured> | undefined

/**
 * Benchmark baseline (server.mjs serves it at /bench/unpriced only with TOLLGATE_BENCH=1): /l/demo's 402 bytes,
 * captured once and replayed as a 200 by this same server path with no gating, so `npm run bench` measures what
 * gating costs on the fast path itself (app/api/bench/unpriced is the same baseline through Next).
 */
export async function answerUngatedBaseline(request: Request): Promise<Response> {
  captured ??= handleLinkRequest(new Request(new URL('/l/demo', request.url), { headers: { accept: 'application/json' } }), 'demo').then(
    async (response) => ({ body: await response.arrayBuffer(), headers: [...response.headers] }),
    (error: unknown) => {
      captured = undefined
      throw error
    },
  )
  const { body, headers } = await captured
  return new Response(body, { status: 200, headers })
}
