import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import * as Usd from './Usd'

const cents = fc.bigInt({ min: 1n, max: 100_000_000n })
const micros = fc.bigInt({ min: 1n, max: 1_000_000_000_000n })
const centsText = (c: bigint) => `${c / 100n}.${(c % 100n).toString().padStart(2, '0')}`

test('parseUsd throws nothing but InvalidUsdError, for any input', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[-+ 0-9.e]{0,12}$/), fc.anything()), (input) => {
      try {
        const parsed = Usd.parseUsd(input)
        assert.match(parsed, /^(0|[1-9][0-9]*)(\.[0-9]{0,5}[1-9])?$/)
      } catch (error) {
        assert.ok(error instanceof Usd.InvalidUsdError, String(error))
      }
    }),
    { numRuns: 2000 },
  )
})

test('any micro-dollar amount round-trips: base units -> text -> parse -> base units', () => {
  fc.assert(
    fc.property(micros, (m) => {
      const text = `${m / 1_000_000n}.${(m % 1_000_000n).toString().padStart(6, '0')}`
      assert.equal(Usd.usdToBaseUnits(text, 6), m)
      assert.equal(Usd.usdToBaseUnits(Usd.parseUsd(text), 18), m * 10n ** 12n)
    }),
  )
})

test('sums of prices in base units equal the price of the sum (no float drift)', () => {
  fc.assert(
    fc.property(cents, cents, (a, b) => {
      fc.pre(a + b <= 100_000_000n)
      const sum = Usd.usdToBaseUnits(centsText(a), 6) + Usd.usdToBaseUnits(centsText(b), 6)
      assert.equal(sum, Usd.usdToBaseUnits(centsText(a + b), 6))
      assert.equal(Usd.usdToCents(centsText(a + b)), a + b)
    }),
  )
})

test('formatUsd and formatUsdDecimal agree and parse back to the same amount', () => {
  fc.assert(
    fc.property(micros, (m) => {
      const formatted = Usd.formatUsd(m, 6)
      const plain = formatted.slice(1).replaceAll(',', '')
      assert.equal(Usd.usdToBaseUnits(plain, 6), m)
      assert.equal(Usd.formatUsdDecimal(Usd.normalizeDecimal(plain)), formatted)
    }),
  )
})
