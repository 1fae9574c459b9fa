// POST /api/dashboard/auth/verify {message, signature}: checks the SIWE message and sets the session cookie.
import { getAuthRuntime } from '@/lib/auth/request'
import { signIn } from '@/lib/auth/sign-in'
import { json, publicRoute, readJson } from '../../_lib/route'
import { publicMerchant } from '../../_lib/serialize'
import { limitSignIn } from '../../_lib/sign-in-limits'

// A SIWE message (4 KB at most) and a signature; smart-account (ERC-6492) signatures run to a few KB.
const MAX_BODY_BYTES = 64 * 1024

export const POST = publicRoute(async ({ request, db }) => {
  limitSignIn(request)
  const { config } = await getAuthRuntime()
  const result = await signIn(db, config, await readJson(request, MAX_BODY_BYTES))
  return json({ merchant: publicMerchant(result.merchant), expiresAt: result.expiresAt }, { headers: { 'set-cookie': result.cookie } })
})
