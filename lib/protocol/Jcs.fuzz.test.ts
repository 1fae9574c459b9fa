import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import * as Jcs from './Jcs'

test('canonical JSON is valid JSON for the same value, and canonicalizing it again changes nothing', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const canonical = Jcs.canonicalize(value)
      const reparsed = JSON.parse(canonical) as unknown
      assert.deepEqual(reparsed, JSON.parse(JSON.stringify(value)))
      assert.equal(Jcs.canonicalize(reparsed), canonical)
    }),
    { numRuns: 2000 },
  )
})

test('member order does not change the output', () => {
  fc.assert(
    fc.property(
      fc.dictionary(
        fc.string({ unit: 'binary', maxLength: 6 }).filter((k) => !/[\uD800-\uDFFF]/.test(k)),
        fc.integer(),
      ),
      (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse())
        assert.equal(Jcs.canonicalize(reversed), Jcs.canonicalize(record))
      },
    ),
    { numRuns: 2000 },
  )
})

test('anything else either canonicalizes or throws CanonicalizationError', () => {
  fc.assert(
    fc.property(
      fc.anything({
        withBigInt: true,
        withBoxedValues: true,
        withMap: true,
        withSet: true,
        withNullPrototype: true,
        withTypedArray: true,
        withSparseArray: true,
        withDate: true,
      }),
      (value) => {
        try {
          Jcs.canonicalize(value)
        } catch (error) {
          if (!(error instanceof Jcs.CanonicalizationError)) throw error
        }
      },
    ),
    { numRuns: 2000 },
  )
})
