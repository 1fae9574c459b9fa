// Next.js proxy (formerly middleware): refuses paths with broken percent-encoding as the client's
// mistake. (The payer pages, /pay and /receipts/*, set their own security headers.)
import { NextResponse, type NextRequest } from 'next/server'

export function proxy(request: NextRequest) {
  // Next answers a path with broken percent-encoding (/l/%ZZ) with a 500; it is the client's mistake.
  if (!isDecodable(request.nextUrl.pathname)) return malformedPath()
  return NextResponse.next()
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
  matcher: ['/(.*%.*)'],
}
