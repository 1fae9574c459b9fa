import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as Usd from './Usd'

describe('parseUsd', () => {
  test('accepts plain decimal dollar prices and returns the canonical form', () => {
    assert.equal(Usd.parseUsd('0.01'), '0.01')
    assert.equal(Usd.parseUsd('5'), '5')
    assert.equal(Usd.parseUsd('12.50'), '12.5')
    assert.equal(Usd.parseUsd('5.000'), '5')
    assert.equal(Usd.parseUsd('0.000001'), '0.000001')
    assert.equal(Usd.parseUsd('1000000'), '1000000')
    assert.equal(Usd.parseUsd('999999.999999'), '999999.999999')
  })

  const refused: Array<[string, unknown, RegExp]> = [
    ['an exponent', '1e3', /plain decimal/],
    ['a negative number', '-1', /plain decimal/],
    ['a plus sign', '+1', /plain decimal/],
    ['a leading space', ' 1', /plain decimal/],
    ['a trailing space', '1 ', /plain decimal/],
    ['a leading zero', '01.0', /leading zeros/],
    ['seven decimals', '0.0000001', /at most 6 decimal places/],
    ['seven decimals of zeros', '1.0000000', /at most 6 decimal places/],
    ['zero', '0', /greater than zero/],
    ['zero with decimals', '0.000000', /greater than zero/],
    ['above the maximum', '1000000.000001', /at most \$1,000,000/],
    ['far above the maximum', '123456789012345678901234567890', /at most \$1,000,000/],
    ['a bare point', '.5', /plain decimal/],
    ['a trailing point', '5.', /plain decimal/],
    ['a thousands separator', '1,000', /plain decimal/],
    ['a dollar sign', '$1', /plain decimal/],
    ['hexadecimal', '0x10', /plain decimal/],
    ['NaN', 'NaN', /plain decimal/],
    ['Infinity', 'Infinity', /plain decimal/],
    ['the empty string', '', /plain decimal/],
    ['non-ASCII digits', '٣', /plain decimal/],
    ['a number (not a string)', 0.01, /must be a string/],
    ['null', null, /must be a string/],
    ['a very long string', '1'.repeat(10_000), /too long/],
  ]
  for (const [what, input, message] of refused) {
    test(`refuses ${what} with a readable typed error`, () => {
      assert.throws(
        () => Usd.parseUsd(input),
        (error: unknown) => {
          assert.ok(error instanceof Usd.InvalidUsdError)
          assert.equal(error.code, 'invalid_usd')
          assert.match(error.message, message)
          return true
        },
      )
    })
  }

  test('isUsd mirrors parseUsd', () => {
    assert.equal(Usd.isUsd('0.01'), true)
    assert.equal(Usd.isUsd('1e3'), false)
    assert.equal(Usd.isUsd(1), false)
  })
})

describe('usdToBaseUnits', () => {
  test('converts exactly to a token’s base units', () => {
    assert.equal(Usd.usdToBaseUnits('0.01', 6), 10_000n)
    assert.equal(Usd.usdToBaseUnits('12.50', 6), 12_500_000n)
    assert.equal(Usd.usdToBaseUnits('1000000', 6), 1_000_000_000_000n)
    assert.equal(Usd.usdToBaseUnits('0.000001', 6), 1n)
    assert.equal(Usd.usdToBaseUnits('1', 18), 10n ** 18n)
    assert.equal(Usd.usdToBaseUnits('3', 0), 3n)
  })

  test('"0.1" + "0.2" is exactly "0.3" (the float trap)', () => {
    assert.notEqual(0.1 + 0.2, 0.3)
    assert.equal(Usd.usdToBaseUnits('0.1', 6) + Usd.usdToBaseUnits('0.2', 6), Usd.usdToBaseUnits('0.3', 6))
    assert.equal(Usd.formatUsd(Usd.usdToBaseUnits('0.1', 6) + Usd.usdToBaseUnits('0.2', 6), 6), '$0.30')
  })

  test('refuses to round a price the token cannot represent', () => {
    assert.throws(() => Usd.usdToBaseUnits('0.001', 2), Usd.InvalidUsdError)
    assert.throws(() => Usd.usdToBaseUnits('0.5', 0), /cannot be paid exactly/)
  })

  test('refuses invalid prices and decimals', () => {
    assert.throws(() => Usd.usdToBaseUnits('-1', 6), Usd.InvalidUsdError)
    assert.throws(() => Usd.usdToBaseUnits('1', -1), Usd.InvalidUsdError)
    assert.throws(() => Usd.usdToBaseUnits('1', 1.5), Usd.InvalidUsdError)
  })
})

describe('usdToCents', () => {
  test('whole cents convert; fractions of a cent give null', () => {
    assert.equal(Usd.usdToCents('0.01'), 1n)
    assert.equal(Usd.usdToCents('12.5'), 1250n)
    assert.equal(Usd.usdToCents('5'), 500n)
    assert.equal(Usd.usdToCents('12.500'), 1250n)
    assert.equal(Usd.usdToCents('0.001'), null)
    assert.equal(Usd.usdToCents('0.015'), null)
  })
})

describe('formatUsd', () => {
  test('shows dollars with at least two decimals and never loses a digit', () => {
    assert.equal(Usd.formatUsd(10_000n, 6), '$0.01')
    assert.equal(Usd.formatUsd(0n, 6), '$0.00')
    assert.equal(Usd.formatUsd(1n, 6), '$0.000001')
    assert.equal(Usd.formatUsd(12_500_000n, 6), '$12.50')
    assert.equal(Usd.formatUsd(1_234_567_890_000n, 6), '$1,234,567.89')
    assert.equal(Usd.formatUsd(100n, 0), '$100.00')
    assert.equal(Usd.formatUsd(-150n, 2), '-$1.50')
    assert.equal(Usd.formatUsd(10n ** 18n, 18), '$1.00')
  })

  test('formatUsdDecimal formats stored decimal strings', () => {
    assert.equal(Usd.formatUsdDecimal('0.01'), '$0.01')
    assert.equal(Usd.formatUsdDecimal('12.5'), '$12.50')
    assert.equal(Usd.formatUsdDecimal('0.030000'), '$0.03')
    assert.equal(Usd.formatUsdDecimal('1234'), '$1,234.00')
    assert.throws(() => Usd.formatUsdDecimal('1e3'), Usd.InvalidUsdError)
  })

  test('normalizeDecimal gives one spelling per value', () => {
    assert.equal(Usd.normalizeDecimal('0.030000'), '0.03')
    assert.equal(Usd.normalizeDecimal('0'), '0')
    assert.equal(Usd.normalizeDecimal('000.000'), '0')
    assert.equal(Usd.normalizeDecimal('10.10'), '10.1')
    assert.throws(() => Usd.normalizeDecimal('-1'), Usd.InvalidUsdError)
  })
})
