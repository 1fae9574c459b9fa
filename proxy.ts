// Next.js proxy (formerly middleware): the receipt pages get a per-request nonce and a strict
// Content-Security-Policy; Next applies the nonce to its own scripts while rendering. (/pay, a route
// handler, sets its own.)
import { randomBytes } from 'node:crypto'
import { NextResponse, type NextRequest } from 'next/server'
import { checkoutPolicyFromEnv } from '@/lib/checkout/csp'

export function proxy(request: NextRequest) {
  // Next answers a path with broken percent-encoding (/l/%ZZ) with a 500; it is the client's mistake.
  if (!isDecodable(request.nextUrl.pathname)) return malformedPath()
  if (!hasContentSecurityPolicy(request.nextUrl.pathname)) return NextResponse.next()
  const nonce = randomBytes(18).toString('base64')
  const policy = checkoutPolicyFromEnv(nonce)
  const headers = new Headers(request.headers)
  headers.set('content-security-policy', policy)
  const response = NextResponse.next({ request: { headers } })
  response.headers.set('content-security-policy', policy)
  response.headers.set('x-content-type-options', 'nosniff')
  response.headers.set('x-frame-options', 'DENY')
  response.headers.set('referrer-policy', request.nextUrl.pathname.startsWith('/receipts/') ? 'no-referrer' : 'same-origin')
  response.headers.set('cache-control', 'no-store')
  return response
}

function hasContentSecurityPolicy(pathname: string): boolean {
  return pathname === '/receipts' || pathname.startsWith('/receipts/')
}

function isDecodable(pathname: string): boolean {
  try {
    decodeURIComponent(pathname)
    return true
  } catch {
    return false
  }
}

function malformedPath(): Response {
  const body = { type: 'about:blank', title: 'Bad request', status: 400, detail: 'The URL path is not valid percent-encoded UTF-8.' }
  return Response.json(body, { status: 400, headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' } })
}

export const config = {
  // Any path with a percent sign is checked; the rest (the 402 hot path) never runs this proxy.
  matcher: ['/receipts/:path*', '/(.*%.*)'],
}
