import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as Base64Url from './Base64Url'
import * as Receipt from './Receipt'

// draft-httpauth-payment Appendix "One-Time Charge", Success response, verbatim.
const exampleReceipt =
  'eyJzdGF0dXMiOiJzdWNjZXNzIiwibWV0aG9kIjoiaW52b2ljZSIsInRpbWVzdGFtcCI6IjIwMjUtMDEtMTVUMTI6MDA6MDBaIiwicmVmZXJlbmNlIjoiaW52XzEyMzQ1In0'

describe('Receipt', () => {
  test('decodes the spec example', () => {
    assert.deepEqual(Receipt.deserialize(exampleReceipt), {
      status: 'success',
      method: 'invoice',
      timestamp: '2025-01-15T12:00:00Z',
      reference: 'inv_12345',
    })
  })

  test('round-trips method-specific fields (evm receipt)', () => {
    const receipt = Receipt.from({
      method: 'evm',
      reference: '0xabc',
      timestamp: new Date('2025-01-15T12:00:00Z'),
      chainId: 8453,
      challengeId: 'id1',
      externalId: 'order_1',
    })
    assert.equal(receipt.status, 'success')
    assert.equal(receipt.timestamp, '2025-01-15T12:00:00.000Z')
    const header = Receipt.serialize(receipt)
    assert.match(header, /^[A-Za-z0-9_-]+$/)
    assert.deepEqual(Receipt.deserialize(header), receipt)
  })

  test('serializes canonical JSON (sorted keys)', () => {
    const header = Receipt.serialize({ status: 'success', method: 'evm', timestamp: '2025-01-15T12:00:00Z', reference: '0x1' })
    assert.equal(Base64Url.decodeString(header), '{"method":"evm","reference":"0x1","status":"success","timestamp":"2025-01-15T12:00:00Z"}')
  })

  test('from/serialize reject invalid fields', () => {
    assert.throws(
      () => Receipt.from({ method: 'EVM', reference: 'x', timestamp: '2025-01-15T12:00:00Z' }),
      Receipt.InvalidReceiptFieldsError,
    )
    assert.throws(() => Receipt.from({ method: 'evm', reference: 'x', timestamp: 'yesterday' }), Receipt.InvalidReceiptFieldsError)
    assert.throws(
      () => Receipt.serialize({ status: 'failed' as 'success', method: 'evm', reference: 'x', timestamp: '2025-01-15T12:00:00Z' }),
      Receipt.InvalidReceiptFieldsError,
    )
    assert.throws(
      () => Receipt.serialize({ status: 'success', method: 'evm', reference: 'x', timestamp: '2025-01-15T12:00:00Z', n: 1n }),
      Receipt.InvalidReceiptFieldsError,
    )
  })

  test('a "__proto__" member is kept as data and does not change the prototype', () => {
    const header = Base64Url.encode(
      '{"status":"success","method":"evm","timestamp":"2025-01-15T12:00:00Z","reference":"0x1","__proto__":{"polluted":true}}',
    )
    const receipt = Receipt.deserialize(header)
    assert.equal(Object.getPrototypeOf(receipt), Object.prototype)
    assert.equal((receipt as { polluted?: unknown }).polluted, undefined)
    assert.deepEqual(Object.getOwnPropertyDescriptor(receipt, '__proto__')?.value, { polluted: true })
  })

  const encode = (json: unknown) => Base64Url.encode(JSON.stringify(json))
  const valid = { status: 'success', method: 'evm', timestamp: '2025-01-15T12:00:00Z', reference: '0x1' }
  const malformed: Array<[string, string]> = [
    ['empty', ''],
    ['padding', `${encode(valid)}=`],
    ['not JSON', Base64Url.encode('nope')],
    ['array', encode([valid])],
    ['status failed', encode({ ...valid, status: 'failed' })],
    ['missing method', encode({ ...valid, method: undefined })],
    ['missing reference', encode({ ...valid, reference: undefined })],
    ['timestamp not RFC 3339', encode({ ...valid, timestamp: '15/01/2025' })],
    ['reference not a string', encode({ ...valid, reference: 7 })],
    ['with scheme prefix', `Payment ${encode(valid)}`],
  ]
  for (const [name, value] of malformed)
    test(`deserialize rejects ${name}`, () => {
      assert.throws(() => Receipt.deserialize(value), Receipt.MalformedReceiptError)
    })
})
