import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isDateTime, toEpochMs } from './Rfc3339'

test('RFC 3339 date-times and their instants', () => {
  assert.equal(toEpochMs('2025-01-15T12:05:00Z'), Date.UTC(2025, 0, 15, 12, 5, 0))
  assert.equal(toEpochMs('2025-01-15t12:05:00z'), Date.UTC(2025, 0, 15, 12, 5, 0))
  assert.equal(toEpochMs('2025-01-15T12:05:00.250Z'), Date.UTC(2025, 0, 15, 12, 5, 0, 250))
  assert.equal(toEpochMs('2025-01-15T14:05:00+02:00'), Date.UTC(2025, 0, 15, 12, 5, 0))
  assert.equal(toEpochMs('2025-01-15T07:35:00-04:30'), Date.UTC(2025, 0, 15, 12, 5, 0))
  assert.equal(toEpochMs('2016-12-31T23:59:60Z'), Date.UTC(2017, 0, 1, 0, 0, 0), 'leap second')
  assert.equal(toEpochMs('2024-02-29T00:00:00Z'), Date.UTC(2024, 1, 29))
  assert.equal(toEpochMs('0001-01-01T00:00:00Z'), -62135596800000)
})

test('rejects what RFC 3339 does not allow', () => {
  for (const bad of [
    '2025-01-15',
    '2025-01-15 12:05:00Z',
    '2025-01-15T12:05Z',
    '2025-01-15T12:05:00',
    '2025-1-15T12:05:00Z',
    '2025-13-01T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2100-02-29T00:00:00Z',
    '2025-04-31T00:00:00Z',
    '2025-01-15T24:00:00Z',
    '2025-01-15T12:60:00Z',
    '2025-01-15T12:00:61Z',
    '2025-01-15T12:00:00+24:00',
    '2025-01-15T12:00:00.Z',
    ' 2025-01-15T12:05:00Z',
    'tomorrow',
    '',
  ])
    assert.equal(isDateTime(bad), false, bad)
})
