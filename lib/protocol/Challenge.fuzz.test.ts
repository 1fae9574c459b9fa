import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import * as Base64Url from './Base64Url'
import * as Challenge from './Challenge'

const numRuns = 2000

/** deserializeList may only return challenges or throw MalformedChallengeError; what it returns must round-trip. */
function check(value: string): void {
  let challenges: Challenge.Challenge[]
  try {
    challenges = Challenge.deserializeList(value)
  } catch (error) {
    if (error instanceof Challenge.MalformedChallengeError) return
    throw error
  }
  for (const challenge of challenges) assert.deepEqual(Challenge.deserialize(Challenge.serialize(challenge)), challenge)
}

const valid = Challenge.serialize(
  Challenge.create({
    secret: 'fuzz',
    realm: 'api.example.com',
    method: 'evm',
    intent: 'charge',
    request: { amount: '1000' },
    expires: '2030-01-01T00:00:00Z',
    description: 'Café, "quoted"',
    opaque: { resource: 'r' },
  }),
)

/** Header bytes as fetch exposes them (latin1), including non-ASCII and control characters. */
const headerBytes = fc.string({ unit: fc.integer({ min: 0, max: 0xff }).map((code) => String.fromCharCode(code)), maxLength: 80 })

const fragment = fc.oneof(
  fc.constantFrom(
    'Payment',
    'payment',
    'Bearer',
    'Basic',
    ' ',
    '  ',
    ',',
    ', ',
    '=',
    ' = ',
    '"',
    '\\',
    '\\"',
    'id',
    'realm',
    'method',
    'intent',
    'request',
    'expires',
    'digest',
    'opaque',
    'header',
    'description',
  ),
  fc.constantFrom(
    '"evm"',
    '"charge"',
    '"e30"',
    '"W10"',
    '"2030-01-01T00:00:00Z"',
    '"sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"',
    '"Payment-Authorization"',
    'abc==',
    '"\u00e9"',
    '"\u00c3\u00a9"',
  ),
  fc.jsonValue().map((v) => `"${Base64Url.encode(JSON.stringify(v) ?? '')}"`),
  headerBytes.map((s) => s.slice(0, 4)),
)
const assembled = fc.array(fragment, { maxLength: 30 }).map((parts) => parts.join(''))

test('arbitrary header bytes and unicode text', () => {
  fc.assert(fc.property(fc.oneof(headerBytes, fc.string({ unit: 'binary', maxLength: 80 })), check), { numRuns })
})

test('text assembled from challenge-list tokens', () => {
  fc.assert(fc.property(assembled, check), { numRuns })
})

test('mutations of a valid challenge, alone and in a list', () => {
  fc.assert(
    fc.property(
      fc.nat(valid.length - 1),
      fc.oneof(
        fragment,
        headerBytes.map((s) => s.slice(0, 2)),
      ),
      fc.nat(4),
      fc.boolean(),
      (at, insert, remove, inList) => {
        const mutated = valid.slice(0, at) + insert + valid.slice(at + remove)
        check(inList ? `Bearer realm="x", ${mutated}, ${valid}` : mutated)
      },
    ),
    { numRuns },
  )
})

test('well-formed params with arbitrary values', () => {
  const value = fc.oneof(
    headerBytes.map((s) => `"${s.replace(/["\\]/g, '\\$&')}"`),
    fc.stringMatching(/^[a-zA-Z0-9!#$%&'*+.^_`|~-]{1,12}$/),
    fc.jsonValue().map((v) => `"${Base64Url.encode(JSON.stringify(v) ?? '')}"`),
  )
  const param = fc
    .tuple(
      fc.constantFrom('id', 'realm', 'method', 'intent', 'request', 'expires', 'digest', 'opaque', 'header', 'description', 'x'),
      value,
    )
    .map(([name, v]) => `${name}=${v}`)
  fc.assert(
    fc.property(fc.array(param, { maxLength: 12 }), (params) => check(`Payment ${params.join(', ')}`)),
    { numRuns },
  )
})
