// Next.js proxy (formerly middleware): refuses paths with broken percent-encoding as the client's
// mistake, and gives the merchant pages (/dashboard/*, /signin) a per-request nonce CSP. (The payer
// pages, /pay and /receipts/*, set their own security headers; the 402 hot path /l/… never runs this.)
import { NextResponse, type NextRequest } from 'next/server'
import { createNonce, dashboardContentSecurityPolicy, dashboardPageHeaders } from '@/lib/dashboard/csp'

export function proxy(request: NextRequest) {
  const pathname = request.nextUrl.pathname
  // Next answers a path with broken percent-encoding (/l/%ZZ) with a 500; it is the client's mistake.
  if (!isDecodable(pathname)) return malformedPath()
  if (!isMerchantPage(pathname)) return NextResponse.next()
  const policy = dashboardContentSecurityPolicy({ nonce: createNonce(), development: process.env.NODE_ENV === 'development' })
  // Next reads the nonce from the request's policy and puts it on every script it renders.
  const headers = new Headers(request.headers)
  headers.set('content-security-policy', policy)
  const response = NextResponse.next({ request: { headers } })
  for (const [name, value] of Object.entries(dashboardPageHeaders(policy))) response.headers.set(name, value)
  return response
}

function isMerchantPage(pathname: string): boolean {
  return pathname === '/signin' || pathname === '/dashboard' || pathname.startsWith('/dashboard/')
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
  // Paths with a percent sign are checked, and the merchant pages get their headers; the rest (the 402
  // hot path among them) never runs this proxy.
  matcher: ['/(.*%.*)', '/dashboard', '/dashboard/:path*', '/signin'],
}
