import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import * as SessionCookie from './session-cookie'

const key = new Uint8Array(randomBytes(32))
const token = { sessionId: randomBytes(24).toString('base64url'), expiresAt: new Date(Date.now() + 3600_000) }

test('a signed token verifies and names the same session', () => {
  const verified = SessionCookie.verify(key, SessionCookie.sign(key, token))
  assert.equal(verified?.sessionId, token.sessionId)
  assert.equal(verified?.expiresAt.getTime(), Math.floor(token.expiresAt.getTime() / 1000) * 1000)
})

test('another key, a changed id, a changed expiry or a truncated MAC is refused', () => {
  const value = SessionCookie.sign(key, token)
  assert.equal(SessionCookie.verify(new Uint8Array(randomBytes(32)), value), null)
  const [v, id, exp, mac] = value.split('.')
  assert.equal(SessionCookie.verify(key, [v, `${id!.slice(0, -1)}A`, exp, mac].join('.')), null)
  assert.equal(SessionCookie.verify(key, [v, id, String(Number(exp) + 3600), mac].join('.')), null)
  assert.equal(SessionCookie.verify(key, [v, id, exp, mac!.slice(0, -2)].join('.')), null)
  assert.equal(SessionCookie.verify(key, ''), null)
  assert.equal(SessionCookie.verify(key, undefined), null)
})

test('an expired token is refused even with a valid MAC', () => {
  const value = SessionCookie.sign(key, { ...token, expiresAt: new Date(Date.now() - 1000) })
  assert.equal(SessionCookie.verify(key, value), null)
})

test('the cookie is HttpOnly, SameSite=Lax, host-only and Secure when asked', () => {
  const secure = SessionCookie.serialize({ value: 'x', secure: true, maxAgeSeconds: 60 })
  assert.match(secure, /^__Host-tollgate_session=x; Path=\/; HttpOnly; SameSite=Lax; Max-Age=60; Secure$/)
  const local = SessionCookie.serialize({ value: 'x', secure: false, maxAgeSeconds: 60 })
  assert.doesNotMatch(local, /Secure/)
  assert.match(SessionCookie.clear(true), /Max-Age=0/)
})
