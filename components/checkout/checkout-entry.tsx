// The checkout's browser entry (bundled by scripts/build-checkout.ts, not by Next): mounts the
// payment flow over the server-written placeholder, from the checkout embedded as JSON in the page.
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import type { OpenCheckout } from '@/lib/checkout/load-checkout'
import { checkoutDataId, flowMountId } from '@/lib/checkout/page/page-data'
import { CheckoutFlow } from './CheckoutFlow'

const data = document.getElementById(checkoutDataId)?.textContent
const mount = document.getElementById(flowMountId)
if (data && mount) {
  const checkout = JSON.parse(data) as OpenCheckout
  createRoot(mount).render(
    <StrictMode>
      <CheckoutFlow checkout={checkout} />
    </StrictMode>,
  )
}
