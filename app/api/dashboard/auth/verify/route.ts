// POST /api/dashboard/auth/verify {message, signature}: checks the SIWE message and sets the session cookie.
import { getAuthRuntime } from '@/lib/auth/request'
import { signIn } from '@/lib/auth/sign-in'
import { json, publicRoute, readJson } from '../../_lib/route'
import { publicMerchant } from '../../_lib/serialize'
import { limitSignIn } from '../../_lib/sign-in-limits'

export const POST = publicRoute(async ({ request, db }) => {
  limitSignIn(request)
  const { config } = await getAuthRuntime()
  const result = await signIn(db, config, await readJson(request))
  return json({ merchant: publicMerchant(result.merchant), expiresAt: result.expiresAt }, { headers: { 'set-cookie': result.cookie } })
})
