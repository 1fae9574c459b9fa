import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decodePaymentResponseHeader } from '@x402/core/http'
import * as PaymentResponse from './PaymentResponse'

// The examples from coinbase/x402 specs/transports-v2/http.md, byte for byte.
const specSuccess =
  'eyJzdWNjZXNzIjp0cnVlLCJ0cmFuc2FjdGlvbiI6IjB4MTIzNDU2Nzg5MGFiY2RlZjEyMzQ1Njc4OTBhYmNkZWYxMjM0NTY3ODkwYWJjZGVmMTIzNDU2Nzg5MGFiY2RlZiIsIm5ldHdvcmsiOiJlaXAxNTU6ODQ1MzIiLCJwYXllciI6IjB4ODU3YjA2NTE5RTkxZTNBNTQ1Mzg3OTFiRGJiMEUyMjM3M2UzNmI2NiJ9'
const specFailure =
  'eyJzdWNjZXNzIjpmYWxzZSwiZXJyb3JSZWFzb24iOiJpbnN1ZmZpY2llbnRfZnVuZHMiLCJ0cmFuc2FjdGlvbiI6IiIsIm5ldHdvcmsiOiJlaXAxNTU6ODQ1MzIiLCJwYXllciI6IjB4ODU3YjA2NTE5RTkxZTNBNTQ1Mzg3OTFiRGJiMEUyMjM3M2UzNmI2NiJ9'
const payer = '0x857b06519E91e3A54538791bDbb0E22373e36b66'

test('success encodes to the spec example', () => {
  const header = PaymentResponse.encode(
    PaymentResponse.success({
      transaction: '0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef',
      network: 'eip155:84532',
      payer,
    }),
  )
  assert.equal(header, specSuccess)
  assert.equal(decodePaymentResponseHeader(header).success, true)
})

test('failure encodes to the spec example', () => {
  const header = PaymentResponse.encode(PaymentResponse.failure({ errorReason: 'insufficient_funds', network: 'eip155:84532', payer }))
  assert.equal(header, specFailure)
  assert.deepEqual(PaymentResponse.decode(header), {
    success: false,
    errorReason: 'insufficient_funds',
    transaction: '',
    network: 'eip155:84532',
    payer,
  })
})

test('decode rejects what is not a SettlementResponse', () => {
  for (const header of ['', '%%%', Buffer.from('{"success":"yes"}').toString('base64')])
    assert.throws(() => PaymentResponse.decode(header), PaymentResponse.InvalidPaymentResponseError)
})
