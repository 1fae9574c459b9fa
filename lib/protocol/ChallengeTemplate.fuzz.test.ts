import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import * as Challenge from './Challenge'
import * as ChallengeTemplate from './ChallengeTemplate'

const numRuns = 1000

const constant = fc.record(
  {
    secret: fc.oneof(fc.string({ minLength: 1 }), fc.uint8Array({ minLength: 1, maxLength: 80 })),
    realm: fc.string({ maxLength: 30 }),
    method: fc.constantFrom('evm', 'stripe', 'x'),
    intent: fc.constantFrom('charge', 'session', 'a-1'),
    request: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })),
    description: fc.string({ unit: 'binary', maxLength: 30 }),
    header: fc.constantFrom('Payment-Authorization', 'authorization'),
  },
  { requiredKeys: ['secret', 'realm', 'method', 'intent', 'request'] },
)

const fresh = fc.record(
  {
    expires: fc.oneof(
      fc.date({ min: new Date(0), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }),
      fc.constantFrom('2030-01-15T12:05:00Z', '2030-01-15T12:05:00.5+01:30'),
    ),
    digest: fc.constantFrom('sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:', 'sha-512=:YQ==:, sha-256=:YQ==:'),
    opaque: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 })),
  },
  { requiredKeys: [] },
)

/** The outcome of an operation: its value, or the class of what it threw. */
function outcome<T>(run: () => T): { value: T } | { error: string } {
  try {
    return { value: run() }
  } catch (error) {
    return { error: error instanceof Error ? error.name : String(error) }
  }
}

test('a template issues exactly what create + serialize give, or refuses what they refuse', () => {
  fc.assert(
    fc.property(constant, fresh, (c, f) => {
      const expected = outcome(() => {
        const created = Challenge.create({ ...c, ...f })
        return { challenge: created, header: Challenge.serialize(created) }
      })
      const actual = outcome(() => ChallengeTemplate.issue(ChallengeTemplate.from(c), f))
      assert.deepEqual(actual, expected)
    }),
    { numRuns },
  )
})
