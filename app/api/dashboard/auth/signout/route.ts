// POST /api/dashboard/auth/signout: revokes the session everywhere and clears the cookie.
import { getAuthRuntime } from '@/lib/auth/request'
import * as SessionCookie from '@/lib/auth/session-cookie'
import { revokeSession } from '@/lib/auth/sessions'
import { json, publicRoute } from '../../_lib/route'

export const POST = publicRoute(async ({ request, db }) => {
  const { config } = await getAuthRuntime()
  const name = SessionCookie.nameFor(config.secureCookies)
  const value = request.headers
    .get('cookie')
    ?.split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${name}=`))
    ?.slice(name.length + 1)
  await revokeSession(db, config.sessionKey, value)
  return json({ signedOut: true }, { headers: { 'set-cookie': SessionCookie.clear(config.secureCookies) } })
})
