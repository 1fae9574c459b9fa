// POST /api/dashboard/auth/nonce: a single-use nonce and the fields a sign-in message must carry.
import { issueNonce } from '@/lib/auth/nonces'
import { getAuthRuntime } from '@/lib/auth/request'
import { json, publicRoute } from '../../_lib/route'
import { limitSignIn } from '../../_lib/sign-in-limits'

export const POST = publicRoute(async ({ request, db }) => {
  limitSignIn(request)
  const { config } = await getAuthRuntime()
  const { nonce, expiresAt } = await issueNonce(db, config.nonceTtlSeconds)
  return json({
    nonce,
    expiresAt,
    domain: config.publicUrl.host,
    uri: config.publicUrl.origin,
    chainId: config.chainId,
    statement: 'Sign in to the Tollgate merchant dashboard.',
  })
})
