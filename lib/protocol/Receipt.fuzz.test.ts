import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import * as Base64Url from './Base64Url'
import * as Receipt from './Receipt'

const numRuns = 2000

/** deserialize may only return a receipt or throw MalformedReceiptError; a receipt must round-trip. */
function check(value: string): void {
  let receipt: Receipt.Receipt
  try {
    receipt = Receipt.deserialize(value)
  } catch (error) {
    if (error instanceof Receipt.MalformedReceiptError) return
    throw error
  }
  assert.equal(receipt.status, 'success')
  assert.deepEqual(Receipt.deserialize(Receipt.serialize(receipt)), receipt)
}

const scalar = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null))
const encodeJson = (value: unknown) => Base64Url.encode(JSON.stringify(value) ?? 'null')

test('arbitrary text', () => {
  fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.stringMatching(/^[A-Za-z0-9_=-]{0,60}$/)), check), {
    numRuns,
  })
})

test('base64url of arbitrary JSON and bytes', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.jsonValue().map(encodeJson),
        fc.uint8Array({ maxLength: 60 }).map((b) => Base64Url.encode(b)),
      ),
      check,
    ),
    { numRuns },
  )
})

test('the receipt shape with arbitrary member values', () => {
  const receipt = fc.record(
    {
      status: fc.oneof(scalar, fc.constant('success')),
      method: fc.oneof(scalar, fc.constantFrom('evm', 'stripe', 'Evm')),
      timestamp: fc.oneof(scalar, fc.constantFrom('2025-01-15T12:00:00Z', '2025-01-15T12:00:00.123+05:30', '2025-02-30T00:00:00Z')),
      reference: fc.oneof(scalar, fc.constant('0xabc')),
      chainId: scalar,
      extra: fc.jsonValue(),
    },
    { requiredKeys: [] },
  )
  fc.assert(fc.property(receipt.map(encodeJson), check), { numRuns })
})
