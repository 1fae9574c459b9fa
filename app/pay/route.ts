// The checkout page: /pay?u=<same-origin path>. Plain HTML from the server plus the checkout's own
// small bundle (lib/checkout/page), so the payer does not download the App Router runtime.
import { randomBytes } from 'node:crypto'
import { loadCheckout } from '@/lib/checkout/load-checkout'
import { checkoutPolicyFromEnv } from '@/lib/checkout/csp'
import { AssetsMissingError, readAssetsManifest } from '@/lib/checkout/page/assets'
import { checkoutStatus, renderCheckoutPage } from '@/lib/checkout/page/checkout-page'

export const dynamic = 'force-dynamic'

export async function GET(request: Request): Promise<Response> {
  const u = new URL(request.url).searchParams.getAll('u')
  let assets
  try {
    assets = readAssetsManifest()
  } catch (error) {
    if (!(error instanceof AssetsMissingError)) throw error
    return new Response(`${error.message}\n`, { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } })
  }
  const checkout = await loadCheckout(u.length === 1 ? u[0] : undefined)
  const nonce = randomBytes(18).toString('base64')
  return new Response(renderCheckoutPage({ checkout, nonce, assets }), {
    status: checkoutStatus(checkout),
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': checkoutPolicyFromEnv(nonce),
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'same-origin',
      'cache-control': 'no-store',
    },
  })
}
