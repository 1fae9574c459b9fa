// Server-side session rows behind the signed cookie: expiry and revocation are checked on every request.
import { randomBytes } from 'node:crypto'
import { and, eq, gt, isNull } from 'drizzle-orm'
import type { Db } from '@/lib/store/db'
import type { Merchant } from '@/lib/store/merchants'
import { merchants, merchantSessions } from '@/lib/store/schema'
import * as SessionCookie from './session-cookie'

export type Session = { id: string; merchant: Merchant; expiresAt: Date }

export async function createSession(
  db: Db,
  merchantId: string,
  ttlSeconds: number,
  now: Date = new Date(),
): Promise<SessionCookie.SessionToken> {
  const sessionId = randomBytes(24).toString('base64url')
  const expiresAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + ttlSeconds * 1000)
  await db.insert(merchantSessions).values({ id: sessionId, merchantId, expiresAt })
  return { sessionId, expiresAt }
}

/** The signed-in merchant for a cookie value, or null (missing, forged, expired or signed out). */
export async function readSession(
  db: Db,
  key: Uint8Array,
  cookieValue: string | undefined | null,
  now: Date = new Date(),
): Promise<Session | null> {
  const token = SessionCookie.verify(key, cookieValue, now)
  if (!token) return null
  const rows = await db
    .select({ merchant: merchants, expiresAt: merchantSessions.expiresAt })
    .from(merchantSessions)
    .innerJoin(merchants, eq(merchants.id, merchantSessions.merchantId))
    .where(and(eq(merchantSessions.id, token.sessionId), isNull(merchantSessions.revokedAt), gt(merchantSessions.expiresAt, now)))
    .limit(1)
  const row = rows[0]
  return row ? { id: token.sessionId, merchant: row.merchant, expiresAt: row.expiresAt } : null
}

/** Signs a session out; a correctly signed cookie naming it is refused from then on. */
export async function revokeSession(db: Db, key: Uint8Array, cookieValue: string | undefined | null): Promise<void> {
  const token = SessionCookie.verify(key, cookieValue)
  if (!token) return
  await db
    .update(merchantSessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(merchantSessions.id, token.sessionId), isNull(merchantSessions.revokedAt)))
}
