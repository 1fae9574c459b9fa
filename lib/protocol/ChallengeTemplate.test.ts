import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as Binding from './Binding'
import * as Challenge from './Challenge'
import * as ChallengeTemplate from './ChallengeTemplate'

const secret = 'template-test-binding-secret-of-32-bytes'
const request = {
  amount: '10000',
  currency: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  recipient: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  methodDetails: { chainId: 31337, decimals: 6 },
}
const constant = { secret, realm: 'pay.example.com', method: 'evm', intent: 'charge', request, description: 'Demo: a JSON fortune' }

describe('ChallengeTemplate.issue', () => {
  test('gives what Challenge.create and Challenge.serialize give for the same fields', () => {
    const template = ChallengeTemplate.from(constant)
    const fresh = { expires: new Date('2030-01-15T12:05:00.000Z'), opaque: { resource: 'link:lnk_1', nonce: 'AAECAwQFBgcICQoL' } }
    const issued = ChallengeTemplate.issue(template, fresh)
    const created = Challenge.create({ ...constant, ...fresh })
    assert.deepEqual(issued.challenge, created)
    assert.equal(issued.header, Challenge.serialize(created))
    assert.ok(Binding.verify(issued.challenge, [secret]))
    assert.deepEqual(Challenge.deserialize(issued.header), created)
  })

  test('with a digest, the Payment-Authorization header, non-ASCII and control characters in the description', () => {
    const fields = { ...constant, realm: 'caf\u00e9.example', description: 'Caf\u00e9 "quoted"\nline', header: 'payment-authorization' }
    const fresh = {
      expires: '2030-01-15T12:05:00+02:00',
      digest: 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:',
      opaque: { resource: 'route:POST /api/x' },
    }
    const issued = ChallengeTemplate.issue(ChallengeTemplate.from(fields), fresh)
    const created = Challenge.create({ ...fields, ...fresh })
    assert.deepEqual(issued.challenge, created)
    assert.equal(issued.challenge.header, 'Payment-Authorization')
    assert.equal(issued.header, Challenge.serialize(created))
  })

  test('without any fresh field', () => {
    const issued = ChallengeTemplate.issue(
      ChallengeTemplate.from({ secret, realm: 'r', method: 'stripe', intent: 'charge', request: { amount: '50', currency: 'usd' } }),
      {},
    )
    const created = Challenge.create({ secret, realm: 'r', method: 'stripe', intent: 'charge', request: { amount: '50', currency: 'usd' } })
    assert.deepEqual(issued.challenge, created)
    assert.equal(issued.header, Challenge.serialize(created))
  })

  test('two challenges from one template with different nonces have different ids; the template is reusable', () => {
    const template = ChallengeTemplate.from(constant)
    const expires = new Date('2030-01-15T12:05:00.000Z')
    const a = ChallengeTemplate.issue(template, { expires, opaque: { resource: 'link:lnk_1', nonce: 'a' } })
    const b = ChallengeTemplate.issue(template, { expires, opaque: { resource: 'link:lnk_1', nonce: 'b' } })
    const a2 = ChallengeTemplate.issue(template, { expires, opaque: { resource: 'link:lnk_1', nonce: 'a' } })
    assert.notEqual(a.challenge.id, b.challenge.id)
    assert.equal(a.challenge.id, a2.challenge.id)
    assert.ok(Binding.verify(a.challenge, [secret]) && Binding.verify(b.challenge, [secret]))
  })

  test('refuses what create refuses', () => {
    assert.throws(() => ChallengeTemplate.from({ ...constant, method: 'EVM' }), Challenge.InvalidChallengeFieldsError)
    assert.throws(() => ChallengeTemplate.from({ ...constant, request: { amount: Number.NaN } }), Challenge.InvalidChallengeFieldsError)
    const template = ChallengeTemplate.from(constant)
    assert.throws(() => ChallengeTemplate.issue(template, { expires: 'tomorrow' }), Challenge.InvalidChallengeFieldsError)
    assert.throws(() => ChallengeTemplate.issue(template, { expires: new Date(Number.NaN) }), Challenge.InvalidChallengeFieldsError)
    assert.throws(() => ChallengeTemplate.issue(template, { digest: 'sha-256=abc' }), Challenge.InvalidChallengeFieldsError)
    assert.throws(
      () => ChallengeTemplate.issue(template, { opaque: { n: 1 } as unknown as Record<string, string> }),
      Challenge.InvalidChallengeFieldsError,
    )
    assert.throws(() => ChallengeTemplate.issue(template, { opaque: { n: '\ud800' } }), Challenge.InvalidChallengeFieldsError)
  })
})
