// POST /api/dashboard/auth/demo-signature {message}: demo mode only (404 elsewhere). The local node
// signs the sign-in message as the demo merchant; the page then posts it to /verify like any wallet.
import { assertDemoSignInAvailable, signAsDemoMerchant } from '@/lib/auth/sign-as-demo-merchant'
import { json, publicRoute, readJson } from '../../_lib/route'
import { limitSignIn } from '../../_lib/sign-in-limits'

// {message}: a sign-in message of 4 KB at most.
const MAX_BODY_BYTES = 16 * 1024

export const POST = publicRoute(async ({ request }) => {
  assertDemoSignInAvailable()
  limitSignIn(request)
  return json(await signAsDemoMerchant(await readJson(request, MAX_BODY_BYTES)))
})
