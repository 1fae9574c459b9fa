import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { describe, test } from 'node:test'
import * as Binding from './Binding'
import * as Challenge from './Challenge'

/** HMAC-SHA256 -> base64url without padding, straight from node:crypto (independent of our code). */
const hmac = (secret: string, input: string) => createHmac('sha256', secret).update(input, 'utf8').digest('base64url')

describe('Binding.computeId', () => {
  test('independent vector: seven pipe-joined slots built by hand from the spec text', () => {
    // request {"amount":"1000","currency":"usd","recipient":"acct_123"} is already JCS (sorted, no spaces);
    // opaque {"pi":"pi_123"} likewise. Their base64url (no padding) is written out literally.
    const requestB64 = 'eyJhbW91bnQiOiIxMDAwIiwiY3VycmVuY3kiOiJ1c2QiLCJyZWNpcGllbnQiOiJhY2N0XzEyMyJ9'
    const opaqueB64 = 'eyJwaSI6InBpXzEyMyJ9'
    assert.equal(Buffer.from(requestB64, 'base64url').toString(), '{"amount":"1000","currency":"usd","recipient":"acct_123"}')
    const fields = {
      realm: 'api.example.com',
      method: 'example',
      intent: 'charge',
      // deliberately unsorted: JCS must reorder it
      request: { recipient: 'acct_123', currency: 'usd', amount: '1000' },
      expires: '2025-01-15T12:05:00Z',
      opaque: { pi: 'pi_123' },
    }
    const input = `api.example.com|example|charge|${requestB64}|2025-01-15T12:05:00Z||${opaqueB64}`
    assert.equal(Binding.input(fields), input)
    assert.equal(Binding.computeId('server-secret', fields), hmac('server-secret', input))
    assert.equal(Challenge.create({ secret: 'server-secret', ...fields }).id, hmac('server-secret', input))
  })

  test('all optional slots absent: three empty segments', () => {
    const fields = { realm: 'r', method: 'evm', intent: 'charge', request: {} }
    assert.equal(Binding.input(fields), 'r|evm|charge|e30|||')
    assert.equal(Binding.computeId('k', fields), hmac('k', 'r|evm|charge|e30|||'))
  })

  test('expires-only and digest-only produce distinct inputs', () => {
    const base = { realm: 'r', method: 'evm', intent: 'charge', request: {} }
    const digest = 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:'
    assert.equal(Binding.input({ ...base, expires: '2025-01-15T12:05:00Z' }), 'r|evm|charge|e30|2025-01-15T12:05:00Z||')
    assert.equal(Binding.input({ ...base, digest }), `r|evm|charge|e30||${digest}|`)
  })

  test('cross-implementation vectors (mppx, mpp-rs, mpp-tools conformance)', () => {
    const request = { amount: '1000000' }
    const fields = { realm: 'api.example.com', method: 'tempo', intent: 'charge', request }
    assert.equal(Binding.computeId('test-vector-secret', fields), 'X6v1eo7fJ76gAxqY0xN9Jd__4lUyDDYmriryOM-5FO4')
    assert.equal(
      Binding.computeId('test-vector-secret-minimum-32-byte-secret', { ...fields, opaque: { trace: '123' } }),
      '5kAjSWiLlrX5yinRSJ9gZPiGWd_AC3WG_jAOcBnH6iY',
    )
  })

  test('header slot sits immediately before opaque (mpp-specs #362, mppx, mpp-rs)', () => {
    const fields = {
      realm: 'api.example.com',
      method: 'tempo',
      intent: 'charge',
      request: { amount: '1000000' },
      header: 'Payment-Authorization',
    }
    assert.equal(Binding.input(fields), 'api.example.com|tempo|charge|eyJhbW91bnQiOiIxMDAwMDAwIn0|||Payment-Authorization|')
    assert.equal(Binding.computeId('test-vector-secret', fields), 'S91xi-OFGZPMs-j7GsX0FDpIkmCcZT1P9XyV58WNy_U')
    const withOpaque = { ...fields, opaque: { pi: 'pi_123' } }
    assert.equal(
      Binding.input(withOpaque),
      'api.example.com|tempo|charge|eyJhbW91bnQiOiIxMDAwMDAwIn0|||Payment-Authorization|eyJwaSI6InBpXzEyMyJ9',
    )
    assert.equal(Binding.computeId('test-vector-secret', withOpaque), 'CJ4X1O4aTDmS59hfdhnhBtxIQjWDOf0bcrhsswwMOW8')
  })

  test('UTF-8 everywhere and byte secrets', () => {
    const fields = { realm: 'café', method: 'evm', intent: 'charge', request: { note: 'ü€😀' } }
    const input = `café|evm|charge|${Buffer.from('{"note":"ü€😀"}').toString('base64url')}|||`
    assert.equal(Binding.input(fields), input)
    assert.equal(Binding.computeId('k', fields), hmac('k', input))
    const key = new Uint8Array(100).fill(7) // longer than the 64-byte block: hashed first
    assert.equal(Binding.computeId(key, fields), createHmac('sha256', key).update(input).digest('base64url'))
  })
})

describe('Binding.verify', () => {
  const secret = 'current-secret'
  const challenge = Challenge.create({
    secret,
    realm: 'api.example.com',
    method: 'evm',
    intent: 'charge',
    request: { amount: '1000' },
    expires: '2030-01-01T00:00:00Z',
    opaque: { resource: 'r1' },
  })

  test('accepts the issuing secret, also as a previous secret during rotation', () => {
    assert.equal(Binding.verify(challenge, [secret]), true)
    assert.equal(Binding.verify(challenge, ['new-secret', secret]), true)
    assert.equal(Binding.verify(challenge, ['new-secret']), false)
    assert.equal(Binding.verify(challenge, []), false)
  })

  test('any change to a bound field fails; description is not bound', () => {
    const changes: Array<Partial<Challenge.Challenge>> = [
      { realm: 'evil.example.com' },
      { method: 'stripe' },
      { intent: 'session' },
      { request: { amount: '1' } },
      { request: { amount: '1000', extra: 'x' } },
      { expires: '2031-01-01T00:00:00Z' },
      { digest: 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:' },
      { opaque: { resource: 'r2' } },
      { opaque: undefined },
      { header: 'Payment-Authorization' },
    ]
    for (const change of changes) assert.equal(Binding.verify({ ...challenge, ...change }, [secret]), false, JSON.stringify(change))
    const withoutExpires: Challenge.Challenge = { ...challenge }
    delete withoutExpires.expires
    assert.equal(Binding.verify(withoutExpires, [secret]), false, 'stripping expires')
    assert.equal(Binding.verify({ ...challenge, description: 'anything' }, [secret]), true)
  })

  test('only the exact canonical id text verifies', () => {
    assert.equal(Binding.verify({ ...challenge, id: `${challenge.id}=` }, [secret]), false)
    assert.equal(Binding.verify({ ...challenge, id: challenge.id.slice(0, -1) }, [secret]), false)
    assert.equal(Binding.verify({ ...challenge, id: 'not base64 at all!' }, [secret]), false)
  })

  test('unbindable fields verify as false instead of throwing', () => {
    assert.equal(Binding.verify({ ...challenge, request: { n: NaN } }, [secret]), false)
  })

  test('isExpired is re-exported for server code', () => {
    assert.equal(Binding.isExpired(challenge, Date.parse('2030-01-01T00:00:00Z')), true)
    assert.equal(Binding.isExpired(challenge, Date.parse('2029-12-31T23:59:59Z')), false)
  })
})
