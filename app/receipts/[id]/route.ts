// A payer's receipt, reachable later by its unguessable id (the id is the capability). Plain HTML
// with no script (lib/checkout/page/receipt-page.ts); unknown ids get the same page's 404.
import { randomBytes } from 'node:crypto'
import { checkoutPolicyFromEnv } from '@/lib/checkout/csp'
import { loadReceipt } from '@/lib/checkout/load-receipt'
import { assetsOrUnavailable } from '@/lib/checkout/page/assets'
import { payerPageHeaders } from '@/lib/checkout/page/document'
import { renderReceiptPage } from '@/lib/checkout/page/receipt-page'

export const dynamic = 'force-dynamic'

export async function GET(_request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  const assets = assetsOrUnavailable()
  if (assets instanceof Response) return assets
  const receipt = await loadReceipt((await context.params).id)
  // The page runs no script; the nonce only completes the shared policy.
  const policy = checkoutPolicyFromEnv(randomBytes(18).toString('base64'))
  return new Response(renderReceiptPage(receipt, assets), { status: receipt ? 200 : 404, headers: payerPageHeaders(policy, 'no-referrer') })
}
