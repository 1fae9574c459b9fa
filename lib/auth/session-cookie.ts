// The session cookie: `v1.<sessionId>.<expiresUnix>.<hmac>`. The HMAC stops forgery and tampering;
// the session row behind the id makes sign-out effective everywhere.
import { createHmac, timingSafeEqual } from 'node:crypto'

export const cookieName = 'tollgate_session'
/** With Secure the `__Host-` prefix also pins the cookie to this host and path `/`. */
export const secureCookieName = '__Host-tollgate_session'

export type SessionToken = { sessionId: string; expiresAt: Date }

export function nameFor(secure: boolean): string {
  return secure ? secureCookieName : cookieName
}

export function sign(key: Uint8Array, token: SessionToken): string {
  const body = `v1.${token.sessionId}.${Math.floor(token.expiresAt.getTime() / 1000)}`
  return `${body}.${mac(key, body)}`
}

/** The token when the value is well-formed, correctly signed and not expired; null otherwise. */
export function verify(key: Uint8Array, value: string | undefined | null, now: Date = new Date()): SessionToken | null {
  if (!value || value.length > 200) return null
  const match = /^(v1\.([A-Za-z0-9_-]{16,64})\.([0-9]{1,12}))\.([A-Za-z0-9_-]{43})$/.exec(value)
  if (!match) return null
  const expected = Buffer.from(mac(key, match[1]!))
  const given = Buffer.from(match[4]!)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null
  const expiresAt = new Date(Number(match[3]) * 1000)
  if (expiresAt.getTime() <= now.getTime()) return null
  return { sessionId: match[2]!, expiresAt }
}

/** A Set-Cookie value. HttpOnly (no script reads it) and SameSite=Lax (no cross-site POST carries it). */
export function serialize(options: { value: string; secure: boolean; maxAgeSeconds: number }): string {
  const parts = [
    `${nameFor(options.secure)}=${options.value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
  ]
  if (options.secure) parts.push('Secure')
  return parts.join('; ')
}

/** A Set-Cookie value that removes the session cookie. */
export function clear(secure: boolean): string {
  return serialize({ value: '', secure, maxAgeSeconds: 0 })
}

function mac(key: Uint8Array, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url')
}
