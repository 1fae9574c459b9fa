// Unpaid requests for a payment link, and requests paid by a plain session voucher, answered by the production
// server (server.mjs) before Next.js routes them: the same handler as the /l/[slug] route, minus Next's routing
// of a dynamic segment (most of the cost of a 402, and most of a voucher's). Bundled on its own by
// scripts/build-fast-path.ts. A voucher moves no money on chain (the channel row is the one ledger, guarded per
// statement for any number of processes); every credential that may (an open, a deposit, a top-up, a close, a
// charge), a grant cookie, or anything else, goes through Next as before, so settlements happen in one place.
import * as Credential from '@/lib/protocol/Credential'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
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

/**
 * The slug when the fast path answers this paid request: GET or HEAD of /l/{slug} whose one Payment credential
 * is an `evm`/`session` voucher with no deposit merged in, no x402 payment and no grant cookie; null otherwise.
 */
export function fastVoucherSlug(method: string | undefined, url: string | undefined, headers: RawHeaders): string | null {
  if ((method !== 'GET' && method !== 'HEAD') || !url) return null
  const slug = linkPath.exec(url)?.[1]
  if (!slug || headers['payment-signature'] !== undefined) return null
  const cookie = headers.cookie
  if (cookie !== undefined && grantCookie.test(Array.isArray(cookie) ? cookie.join(';') : cookie)) return null
  const authorization = new Headers()
  for (const name of ['authorization', 'payment-authorization']) {
    const value = headers[name]
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) authorization.append(name, item)
  }
  try {
    const credential = Credential.fromHeaders(authorization)
    if (!credential || credential.challenge.method !== EvmSession.method || credential.challenge.intent !== EvmSession.intent) return null
    const payload = credential.payload as { action?: unknown; deposit?: unknown }
    return payload.action === 'voucher' && payload.deposit === undefined ? slug : null
  } catch {
    // A malformed credential is Next's to refuse.
    return null
  }
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
