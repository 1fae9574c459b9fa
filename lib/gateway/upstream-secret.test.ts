import assert from 'node:assert/strict'
import { createCipheriv, randomBytes } from 'node:crypto'
import { inspect } from 'node:util'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { deriveSessionKey } from '@/lib/auth/config'
import { openUpstreamSecret, sealUpstreamSecret, secretHint, UpstreamSecretError, UpstreamSecretKeys } from './upstream-secret'

const serverSecret = 'a'.repeat(48)
const keys = UpstreamSecretKeys.fromServerSecrets(serverSecret)
const apiKey = 'Bearer sk-proj-0123456789abcdefWXYZ'

function rejectsWith(reason: UpstreamSecretError['reason'], run: () => unknown) {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof UpstreamSecretError, String(error))
    assert.equal(error.reason, reason)
    assert.ok(!error.message.includes(apiKey) && !error.message.includes(serverSecret))
    return true
  })
}

describe('upstream secrets', () => {
  test('round trip: sealed in the versioned format, opened for the same link', () => {
    const sealed = sealUpstreamSecret(apiKey, keys, 'lnk_a')
    assert.match(sealed, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/)
    assert.ok(!sealed.includes('sk-proj'))
    assert.equal(openUpstreamSecret(sealed, keys, 'lnk_a'), apiKey)
    assert.notEqual(sealUpstreamSecret(apiKey, keys, 'lnk_a'), sealed, 'a fresh IV each time')
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (value) => {
        assert.equal(openUpstreamSecret(sealUpstreamSecret(value, keys, 'lnk_x'), keys, 'lnk_x'), value)
      }),
      { numRuns: 200 },
    )
  })

  test('another link, another server secret, or any flipped byte does not open', () => {
    const sealed = sealUpstreamSecret(apiKey, keys, 'lnk_a')
    rejectsWith('undecryptable', () => openUpstreamSecret(sealed, keys, 'lnk_b'))
    rejectsWith('undecryptable', () => openUpstreamSecret(sealed, UpstreamSecretKeys.fromServerSecrets('b'.repeat(48)), 'lnk_a'))
    const [, iv, body] = sealed.split('.') as [string, string, string]
    const bytes = Buffer.from(body, 'base64url')
    for (let i = 0; i < bytes.length; i++) {
      const tampered = Buffer.from(bytes)
      tampered[i]! ^= 0x01
      rejectsWith('undecryptable', () => openUpstreamSecret(`v1.${iv}.${tampered.toString('base64url')}`, keys, 'lnk_a'))
    }
    const otherIv = Buffer.from(iv, 'base64url')
    otherIv[0]! ^= 0x80
    rejectsWith('undecryptable', () => openUpstreamSecret(`v1.${otherIv.toString('base64url')}.${body}`, keys, 'lnk_a'))
  })

  test('malformed and unknown formats are typed errors', () => {
    const sealed = sealUpstreamSecret(apiKey, keys, 'lnk_a')
    rejectsWith('unsupported-version', () => openUpstreamSecret(sealed.replace(/^v1/, 'v2'), keys, 'lnk_a'))
    for (const bad of ['', 'v1', 'v1..', `v1.${'A'.repeat(16)}.short`, `v1.${'A'.repeat(10)}.${'A'.repeat(40)}`, 'v1.a+b.c', `${sealed}.x`])
      rejectsWith('malformed', () => openUpstreamSecret(bad, keys, 'lnk_a'))
  })

  test('after a rotation (MPP_SECRET_KEY_PREVIOUS), old values still open and new ones use the new key', () => {
    const old = sealUpstreamSecret(apiKey, keys, 'lnk_a')
    const rotated = UpstreamSecretKeys.fromEnv({ MPP_SECRET_KEY: 'n'.repeat(40), MPP_SECRET_KEY_PREVIOUS: serverSecret })
    assert.equal(openUpstreamSecret(old, rotated, 'lnk_a'), apiKey)
    const fresh = sealUpstreamSecret(apiKey, rotated, 'lnk_a')
    rejectsWith('undecryptable', () => openUpstreamSecret(fresh, keys, 'lnk_a'))
    assert.equal(openUpstreamSecret(fresh, UpstreamSecretKeys.fromEnv({ MPP_SECRET_KEY: 'n'.repeat(40) }), 'lnk_a'), apiKey)
  })

  test('the key is derived for this purpose alone: values sealed under the session key or the raw secret do not open', () => {
    const sealUnder = (key: Buffer) => {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      cipher.setAAD(Buffer.from('tollgate upstream api key v1\u0000lnk_a'))
      const body = Buffer.concat([cipher.update(apiKey), cipher.final(), cipher.getAuthTag()])
      return `v1.${iv.toString('base64url')}.${body.toString('base64url')}`
    }
    rejectsWith('undecryptable', () =>
      openUpstreamSecret(sealUnder(Buffer.from(deriveSessionKey({ MPP_SECRET_KEY: serverSecret }))), keys, 'lnk_a'),
    )
    rejectsWith('undecryptable', () => openUpstreamSecret(sealUnder(Buffer.from(serverSecret).subarray(0, 32)), keys, 'lnk_a'))
  })

  test('keys refuse short or missing secrets and never print their bytes', () => {
    rejectsWith('no-key', () => UpstreamSecretKeys.fromServerSecrets('short'))
    rejectsWith('no-key', () => UpstreamSecretKeys.fromEnv({}))
    rejectsWith('no-key', () => UpstreamSecretKeys.fromEnv({ MPP_SECRET_KEY: serverSecret, MPP_SECRET_KEY_PREVIOUS: 'short' }))
    assert.equal(JSON.stringify({ keys }), '{"keys":"[UpstreamSecretKeys]"}')
    assert.equal(inspect(keys, { showHidden: true, depth: 5 }), '[UpstreamSecretKeys]')
    assert.deepEqual(Object.keys(keys), [])
  })

  test('hints show the last four characters of long values only', () => {
    assert.equal(secretHint(apiKey), '••••WXYZ')
    assert.equal(secretHint('short-key'), '••••')
    assert.equal(secretHint('exactly-16-chars'), '••••hars')
    assert.equal(secretHint('0123456789abcde😀'), '••••cde😀')
  })
})
