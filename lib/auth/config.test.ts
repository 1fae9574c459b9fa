import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AuthConfigError, deriveSessionKey, loadAuthConfig, parseAllowedMerchants } from './config'

const secret = 'x'.repeat(48)

test('the session key is derived from MPP_SECRET_KEY, differs from it, and is stable', () => {
  const a = deriveSessionKey({ MPP_SECRET_KEY: secret })
  assert.equal(a.length, 32)
  assert.deepEqual(a, deriveSessionKey({ MPP_SECRET_KEY: secret }))
  assert.notDeepEqual(Buffer.from(a).toString(), secret.slice(0, 32))
  assert.notDeepEqual(a, deriveSessionKey({ MPP_SECRET_KEY: 'y'.repeat(48) }))
})

test('SESSION_SECRET wins when set; short or missing secrets are refused', () => {
  assert.deepEqual(Buffer.from(deriveSessionKey({ MPP_SECRET_KEY: secret, SESSION_SECRET: 'z'.repeat(40) })).toString(), 'z'.repeat(40))
  assert.throws(() => deriveSessionKey({ SESSION_SECRET: 'short' }), AuthConfigError)
  assert.throws(() => deriveSessionKey({}), AuthConfigError)
})

test('the session key is not enumerable, so logging the config cannot leak it', () => {
  const config = loadAuthConfig({ MPP_SECRET_KEY: secret, PUBLIC_URL: 'https://pay.example.com' })
  assert.ok(!Object.keys(config).includes('sessionKey'))
  assert.ok(!JSON.stringify(config).includes(Buffer.from(config.sessionKey).toString('hex')))
  assert.equal(config.sessionKey.length, 32)
})

test('cookies are Secure except on plain-http loopback', () => {
  assert.equal(loadAuthConfig({ MPP_SECRET_KEY: secret, PUBLIC_URL: 'https://pay.example.com' }).secureCookies, true)
  assert.equal(loadAuthConfig({ MPP_SECRET_KEY: secret, PUBLIC_URL: 'http://127.0.0.1:3000' }).secureCookies, false)
  assert.equal(loadAuthConfig({ MPP_SECRET_KEY: secret, PUBLIC_URL: 'http://localhost:3000' }).secureCookies, false)
  assert.equal(loadAuthConfig({ MPP_SECRET_KEY: secret, PUBLIC_URL: 'http://shop.example.com' }).secureCookies, true)
})

test('ALLOWED_MERCHANTS: comma-separated, any case, checksummed; junk is a config error', () => {
  assert.equal(parseAllowedMerchants(undefined), null)
  assert.equal(parseAllowedMerchants(' , '), null)
  const set = parseAllowedMerchants('0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266 , 0x70997970C51812dc3A010C7d01b50e0d17dc79C8')
  assert.ok(set?.has('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'))
  assert.ok(set?.has('0x70997970C51812dc3A010C7d01b50e0d17dc79C8'))
  assert.throws(() => parseAllowedMerchants('0x123'), AuthConfigError)
})
