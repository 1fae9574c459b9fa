import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { formatBytes, formatMinutes, formatTime, formatTokenAmount, formatUsd, shortHex } from './format'

describe('formatTokenAmount', () => {
  test('exact, trimmed, grouped', () => {
    assert.equal(formatTokenAmount(10_000n, 6), '0.01')
    assert.equal(formatTokenAmount('1', 6), '0.000001')
    assert.equal(formatTokenAmount(1_234_500_000n, 6), '1,234.50')
    assert.equal(formatTokenAmount(0n, 6), '0.00')
    assert.equal(formatTokenAmount(5n, 0), '5')
    assert.equal(formatTokenAmount(123456789012345678901234567890n, 18), '123,456,789,012.34567890123456789')
  })
})

describe('formatUsd', () => {
  test('two decimals at least', () => {
    assert.equal(formatUsd('0.01'), '$0.01')
    assert.equal(formatUsd('12.5'), '$12.50')
    assert.equal(formatUsd('1000'), '$1,000.00')
    assert.equal(formatUsd('0.001'), '$0.001')
  })
})

describe('small formatters', () => {
  test('shortHex, minutes, bytes, time', () => {
    assert.equal(shortHex('0x70997970C51812dc3A010C7d01b50e0d17dc79C8'), '0x7099…79C8')
    assert.equal(shortHex('0x1234'), '0x1234')
    assert.equal(formatMinutes(60), '1 hour')
    assert.equal(formatMinutes(90), '90 minutes')
    assert.equal(formatMinutes(2880), '2 days')
    assert.equal(formatBytes(1), '1 byte')
    assert.equal(formatBytes(2048), '2 KB')
    assert.equal(formatBytes(3 * 1024 * 1024), '3.0 MB')
    assert.equal(formatTime('2025-06-04T14:03:09.000Z'), '4 Jun 2025, 14:03 UTC')
    assert.equal(formatTime('nope'), 'nope')
  })
})
