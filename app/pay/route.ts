// The checkout page: /pay?u=<same-origin path>. Plain HTML from the server plus the checkout's own
// small bundle (lib/checkout/page), so the payer does not download the App Router runtime.
import { randomBytes } from 'node:crypto'
import { loadCheckout } from '@/lib/checkout/load-checkout'
import { checkoutPolicyFromEnv } from '@/lib/checkout/csp'
import { assetsOrUnavailable } from '@/lib/checkout/page/assets'
import { checkoutStatus, renderCheckoutPage } from '@/lib/checkout/page/checkout-page'
import { payerPageHeaders } from '@/lib/checkout/page/document'

export const dynamic = 'force-dynamic'

export async function GET(request: Request): Promise<Response> {
  const u = new URL(request.url).searchParams.getAll('u')
  const assets = assetsOrUnavailable()
  if (assets instanceof Response) return assets
  const checkout = await loadCheckout(u.length === 1 ? u[0] : undefined)
  const nonce = randomBytes(18).toString('base64')
  return new Response(renderCheckoutPage({ checkout, nonce, assets }), {
    status: checkoutStatus(checkout),
    headers: payerPageHeaders(checkoutPolicyFromEnv(nonce), 'same-origin'),
  })
}
