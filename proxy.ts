// Next.js proxy (formerly middleware): the checkout and receipt pages get a per-request nonce and a
// strict Content-Security-Policy; Next applies the nonce to its own scripts while rendering.
import { randomBytes } from 'node:crypto'
import { NextResponse, type NextRequest } from 'next/server'
import { checkoutContentSecurityPolicy, originOf } from '@/lib/checkout/csp'

export function proxy(request: NextRequest) {
  const nonce = randomBytes(18).toString('base64')
  const env = process.env
  // The demo's test wallet talks to the local chain from the page; nothing else leaves the origin.
  const demoRpc = env.TOLLGATE_DEMO === '1' && env.EVM_CHAIN_ID === '31337' ? originOf(env.EVM_RPC_URL) : null
  const policy = checkoutContentSecurityPolicy({
    nonce,
    connectSources: demoRpc ? [demoRpc] : [],
    stripe: Boolean(env.NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY),
    development: env.NODE_ENV === 'development',
  })
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

export const config = {
  matcher: ['/pay', '/receipts/:path*'],
}
