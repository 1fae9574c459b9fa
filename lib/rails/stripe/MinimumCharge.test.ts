import assert from 'node:assert/strict'
import { test } from 'node:test'
import { canCharge, maximumChargeCents, minimumChargeCents } from './MinimumCharge'

test('Stripe charges at least 50 US cents', () => {
  assert.equal(minimumChargeCents(), 50)
  assert.equal(minimumChargeCents('USD'), 50)
  assert.equal(canCharge(49), false)
  assert.equal(canCharge(50), true)
  assert.equal(canCharge(50n), true)
  assert.equal(canCharge(1n), false)
})

test('other currencies have their own minimum; unknown ones fall back to 50', () => {
  assert.equal(minimumChargeCents('gbp'), 30)
  assert.equal(canCharge(30, 'gbp'), true)
  assert.equal(canCharge(299, 'sek'), false)
  assert.equal(minimumChargeCents('xyz'), 50)
})

test('fractions, unsafe numbers and amounts above the maximum are not chargeable', () => {
  assert.equal(canCharge(50.5), false)
  assert.equal(canCharge(Number.MAX_SAFE_INTEGER + 2), false)
  assert.equal(canCharge(maximumChargeCents), true)
  assert.equal(canCharge(BigInt(maximumChargeCents) + 1n), false)
})
