import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import * as AcceptPayment from './AcceptPayment'

const numRuns = 2000
const offers = ['evm/charge', 'stripe/charge', 'evm/session', 'tempo/charge'].map((key) => {
  const [method, intent] = key.split('/') as [string, string]
  return { method, intent }
})

/** parse may only return ranges or throw MalformedAcceptPaymentError; select never throws and only reorders/filters. */
function check(value: string): void {
  let ranges: AcceptPayment.Range[] | undefined
  try {
    ranges = AcceptPayment.parse(value)
  } catch (error) {
    if (!(error instanceof AcceptPayment.MalformedAcceptPaymentError)) throw error
  }
  if (ranges) {
    for (const range of ranges) assert.ok(range.q >= 0 && range.q <= 1)
    assert.deepEqual(AcceptPayment.parse(AcceptPayment.serialize(ranges)), ranges)
  }
  const selected = AcceptPayment.select(offers, value)
  assert.ok(selected.length > 0 && selected.every((offer) => offers.includes(offer)))
  assert.equal(new Set(selected).size, selected.length)
}

const fragment = fc.oneof(
  fc.constantFrom(
    'evm',
    'stripe',
    'tempo',
    '*',
    '/',
    ',',
    ', ',
    ';',
    ' ; ',
    'q=',
    'Q=',
    'charge',
    'session',
    '0',
    '1',
    '0.5',
    '1.000',
    '0.1234',
    '=',
    '"',
    '"a,b"',
    '\t',
    'x=y',
  ),
  fc.string({ unit: 'binary', maxLength: 3 }),
)

test('arbitrary text', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), check), { numRuns })
})

test('text assembled from Accept-Payment tokens', () => {
  fc.assert(
    fc.property(
      fc.array(fragment, { maxLength: 25 }).map((parts) => parts.join('')),
      check,
    ),
    { numRuns },
  )
})

test('well-formed ranges: ranking is by q, then server order; q=0 offers never appear', () => {
  const range = fc
    .record({
      method: fc.constantFrom('evm', 'stripe', 'tempo', 'solana', '*'),
      intent: fc.constantFrom('charge', 'session', '*'),
      q: fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000),
    })
    .map((r) => ({ ...r }))
  fc.assert(
    fc.property(fc.array(range, { maxLength: 6 }), (ranges) => {
      const header = AcceptPayment.serialize(ranges)
      assert.deepEqual(AcceptPayment.parse(header), ranges)
      const ranked = AcceptPayment.rank(offers, ranges)
      const qs = ranked.map((offer) => AcceptPayment.match(offer, ranges)!.q)
      for (let i = 1; i < ranked.length; i++) {
        assert.ok(qs[i - 1]! >= qs[i]!)
        if (qs[i - 1] === qs[i]) assert.ok(offers.indexOf(ranked[i - 1]!) < offers.indexOf(ranked[i]!))
      }
      for (const offer of offers) if (!ranked.includes(offer)) assert.ok((AcceptPayment.match(offer, ranges)?.q ?? 0) === 0)
    }),
    { numRuns },
  )
})
