import assert from 'node:assert/strict'
import { test } from 'node:test'
import { linkAvailability } from './link-availability'

const now = new Date('2030-01-01T12:00:00Z')
const link = { active: true, expiresAt: null as Date | null, maxPayments: null as number | null }

test('an active link with no limits is available', () => {
  assert.equal(linkAvailability(link, 1_000_000, now), 'ok')
})

test('expiry is exclusive: the expiry instant itself is already expired', () => {
  assert.equal(linkAvailability({ ...link, expiresAt: new Date(now.getTime() + 1) }, 0, now), 'ok')
  assert.equal(linkAvailability({ ...link, expiresAt: now }, 0, now), 'expired')
})

test('sold out once the paid count reaches maxPayments', () => {
  assert.equal(linkAvailability({ ...link, maxPayments: 3 }, 2, now), 'ok')
  assert.equal(linkAvailability({ ...link, maxPayments: 3 }, 3, now), 'sold-out')
  assert.equal(linkAvailability({ ...link, maxPayments: 1 }, 7, now), 'sold-out')
})

test('inactive wins over expired, and expired over sold out', () => {
  const past = new Date(now.getTime() - 1)
  assert.equal(linkAvailability({ active: false, expiresAt: past, maxPayments: 1 }, 1, now), 'inactive')
  assert.equal(linkAvailability({ active: true, expiresAt: past, maxPayments: 1 }, 1, now), 'expired')
})
