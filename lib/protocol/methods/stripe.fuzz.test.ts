// Properties: parsePayload() returns a payload or throws MalformedCredentialError, parseRequest()
// returns a request or throws InvalidChallengeError, whatever they are given.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { InvalidChallengeError, MalformedCredentialError } from '@/lib/protocol/Problem'
import * as Stripe from './stripe'

const numRuns = 2_000

function onlyThrows(errorClass: new (...args: never[]) => Error, run: () => unknown): boolean {
  try {
    run()
  } catch (error) {
    if (!(error instanceof errorClass)) throw error
  }
  return true
}

type Path = Array<string | number>
const pathsOf = (value: unknown, prefix: Path = []): Path[] =>
  typeof value === 'object' && value !== null
    ? [prefix, ...Object.entries(value).flatMap(([key, child]) => pathsOf(child, [...prefix, Array.isArray(value) ? Number(key) : key]))]
    : [prefix]
const setAt = (value: unknown, [head, ...rest]: Path, replacement: unknown): unknown => {
  if (head === undefined) return replacement
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>
  copy[head] = setAt(copy[head], rest, replacement)
  return copy
}
const junk = fc.oneof(
  fc.jsonValue(),
  fc.constant(undefined),
  fc.string(),
  fc.integer(),
  fc.constantFrom('spt_', 'pi_', 'spt_x', 'pi_x', 'USD', '', '__proto__'),
)
const mutationsOf = (valid: unknown) =>
  fc.tuple(fc.constantFrom(...pathsOf(valid)), junk).map(([path, replacement]) => setAt(valid, path, replacement))
const anything = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withSparseArray: true,
  withTypedArray: true,
})

const validPayloads = [
  { spt: 'spt_1N4Zv32eZvKYlo2CPhVPkJlW', externalId: 'client_order_789' },
  { paymentIntent: 'pi_3PqR5tLkdIwHu7ix0abcDEF1' },
]
const validRequest = {
  amount: '5000',
  currency: 'usd',
  description: 'Premium API access',
  externalId: 'order_12345',
  recipient: 'acct_1',
  methodDetails: { networkId: 'profile_1MqDcVKA5fEO2tZvKQm9g8Yj', paymentMethodTypes: ['card', 'link'], metadata: { link: 'abc' } },
}

describe('stripe.parsePayload under arbitrary input', () => {
  test('arbitrary values', () => {
    fc.assert(
      fc.property(anything, (value) => onlyThrows(MalformedCredentialError, () => Stripe.parsePayload(value))),
      { numRuns },
    )
  })

  test('valid payloads with one part broken, or with a token and a PaymentIntent at once', () => {
    const arbitrary = fc.oneof(...validPayloads.map(mutationsOf), fc.record({ spt: fc.string(), paymentIntent: fc.string() }))
    fc.assert(
      fc.property(arbitrary, (value) => onlyThrows(MalformedCredentialError, () => Stripe.parsePayload(value))),
      { numRuns },
    )
    for (const payload of validPayloads) assert.deepEqual(Stripe.parsePayload(payload), payload)
  })

  test('a payload naming both a token and a PaymentIntent is never accepted', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^spt_[A-Za-z0-9]{1,30}$/), fc.stringMatching(/^pi_[A-Za-z0-9]{1,30}$/), (spt, paymentIntent) => {
        assert.throws(() => Stripe.parsePayload({ spt, paymentIntent }), MalformedCredentialError)
      }),
      { numRuns },
    )
  })
})

describe('stripe.parseRequest under arbitrary input', () => {
  test('arbitrary values', () => {
    fc.assert(
      fc.property(anything, (value) => onlyThrows(InvalidChallengeError, () => Stripe.parseRequest(value))),
      { numRuns },
    )
  })

  test('a valid request with one part broken', () => {
    fc.assert(
      fc.property(mutationsOf(validRequest), (value) => onlyThrows(InvalidChallengeError, () => Stripe.parseRequest(value))),
      { numRuns },
    )
    assert.deepEqual(Stripe.parseRequest(validRequest), validRequest)
  })
})
