// The dashboard's gatekeeper for pages, route handlers and actions: who is signed in, or refuse.
import { cookies } from 'next/headers'
import { redirect } from 'next/navigation'
import { cache } from 'react'
import { getDb } from '@/lib/store/db'
import type { Db } from '@/lib/store/db'
import type { Merchant } from '@/lib/store/merchants'
import { loadAuthConfig, type AuthConfig } from './config'
import { ForbiddenOriginError, UnauthenticatedError } from './errors'
import { safeReturnPath } from './return-path'
import * as SessionCookie from './session-cookie'
import { readSession, type Session } from './sessions'

export type AuthRuntime = { db: Db; config: AuthConfig }

const globalAuth = globalThis as unknown as { __tollgateAuthConfig?: AuthConfig }

export async function getAuthRuntime(): Promise<AuthRuntime> {
  globalAuth.__tollgateAuthConfig ??= loadAuthConfig()
  return { db: await getDb(), config: globalAuth.__tollgateAuthConfig }
}

/** The session of the browser making this request (Server Components, actions), or null; once per request. */
export const currentSession = cache(async (): Promise<Session | null> => {
  // Cookies first: it marks the page as per-request, so nothing here runs at build time.
  const jar = await cookies()
  const { db, config } = await getAuthRuntime()
  return readSession(db, config.sessionKey, jar.get(SessionCookie.nameFor(config.secureCookies))?.value)
})

/** For pages: the signed-in merchant, or a redirect to sign-in that comes back to `returnTo`. */
export async function requireMerchant(returnTo: string = '/dashboard'): Promise<Merchant> {
  const session = await currentSession()
  if (!session) redirect(`/signin?next=${encodeURIComponent(safeReturnPath(returnTo))}`)
  return session.merchant
}

/** For route handlers: the signed-in merchant's session; UnauthenticatedError (401) otherwise. */
export async function authenticate(request: Request): Promise<Session> {
  const { db, config } = await getAuthRuntime()
  const session = await readSession(db, config.sessionKey, readCookie(request, SessionCookie.nameFor(config.secureCookies)))
  if (!session) throw new UnauthenticatedError()
  return session
}

/**
 * State-changing requests must come from our own pages. SameSite=Lax already keeps the cookie off
 * cross-site POSTs; this also refuses them when a browser sends an Origin that is not ours.
 */
export async function assertSameOrigin(request: Request): Promise<void> {
  if (request.method === 'GET' || request.method === 'HEAD') return
  const origin = request.headers.get('origin')
  if (origin === null) return
  const { config } = await getAuthRuntime()
  if (origin !== config.publicUrl.origin) throw new ForbiddenOriginError()
}

function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get('cookie')
  if (!header) return undefined
  for (const part of header.split(';')) {
    const index = part.indexOf('=')
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim()
  }
  return undefined
}
