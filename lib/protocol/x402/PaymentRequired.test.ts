import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { PaymentRequired as CorePaymentRequired } from '@x402/core/types'
import * as PaymentRequired from './PaymentRequired'
import type * as PaymentRequirements from './PaymentRequirements'

// The example from coinbase/x402 specs/transports-v2/http.md, byte for byte.
const specHeader =
  'eyJ4NDAyVmVyc2lvbiI6MiwiZXJyb3IiOiJQQVlNRU5ULVNJR05BVFVSRSBoZWFkZXIgaXMgcmVxdWlyZWQiLCJyZXNvdXJjZSI6eyJ1cmwiOiJodHRwczovL2FwaS5leGFtcGxlLmNvbS9wcmVtaXVtLWRhdGEiLCJkZXNjcmlwdGlvbiI6IkFjY2VzcyB0byBwcmVtaXVtIG1hcmtldCBkYXRhIiwibWltZVR5cGUiOiJhcHBsaWNhdGlvbi9qc29uIn0sImFjY2VwdHMiOlt7InNjaGVtZSI6ImV4YWN0IiwibmV0d29yayI6ImVpcDE1NTo4NDUzMiIsImFtb3VudCI6IjEwMDAwIiwiYXNzZXQiOiIweDAzNkNiRDUzODQyYzU0MjY2MzRlNzkyOTU0MWVDMjMxOGYzZENGN2UiLCJwYXlUbyI6IjB4MjA5NjkzQmM2YWZjMEM1MzI4YkEzNkZhRjAzQzUxNEVGMzEyMjg3QyIsIm1heFRpbWVvdXRTZWNvbmRzIjo2MCwiZXh0cmEiOnsibmFtZSI6IlVTREMiLCJ2ZXJzaW9uIjoiMiJ9fV19'

const specRequirements: PaymentRequirements.ExactEvm = {
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '10000',
  asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  payTo: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
  maxTimeoutSeconds: 60,
  extra: { name: 'USDC', version: '2' },
}

test('encode reproduces the spec example header exactly (standard base64 of compact JSON)', () => {
  const paymentRequired = PaymentRequired.from({
    resource: { url: 'https://api.example.com/premium-data', description: 'Access to premium market data', mimeType: 'application/json' },
    accepts: [specRequirements],
    error: 'PAYMENT-SIGNATURE header is required',
  })
  assert.equal(PaymentRequired.encode(paymentRequired), specHeader)
})

test('decode reads the spec example back', () => {
  const decoded = PaymentRequired.decode(specHeader)
  assert.equal(decoded.x402Version, 2)
  assert.deepEqual(decoded.accepts, [specRequirements])
  const core: CorePaymentRequired = decoded
  assert.equal(core.resource.url, 'https://api.example.com/premium-data')
})

test('from leaves absent options out and keeps extensions', () => {
  const minimal = PaymentRequired.from({ resource: { url: 'https://tollgate.test/l/abc' }, accepts: [specRequirements] })
  assert.deepEqual(Object.keys(minimal), ['x402Version', 'resource', 'accepts'])
  assert.deepEqual(minimal.resource, { url: 'https://tollgate.test/l/abc' })
  const withExtensions = PaymentRequired.from({
    resource: { url: 'https://t.test/' },
    accepts: [specRequirements],
    extensions: { bazaar: { info: {}, schema: {} } },
  })
  assert.deepEqual(PaymentRequired.decode(PaymentRequired.encode(withExtensions)), withExtensions)
})

test('encode is standard base64, never base64url', () => {
  // This JSON's bytes encode to both '+' and '/', which base64url would write as '-' and '_'.
  const header = PaymentRequired.encode(
    PaymentRequired.from({ resource: { url: 'https://t.test/?>~~~', description: 'ÿÿ' }, accepts: [specRequirements] }),
  )
  assert.match(header, /\+/)
  assert.match(header, /\//)
  assert.match(header, /^[A-Za-z0-9+/]+=*$/)
  assert.equal(Buffer.from(header, 'base64').toString('base64'), header)
  assert.deepEqual(JSON.parse(Buffer.from(header, 'base64').toString('utf8')).resource.description, 'ÿÿ')
})

test('from refuses an empty offer', () => {
  assert.throws(
    () => PaymentRequired.from({ resource: { url: 'https://t.test/' }, accepts: [] }),
    PaymentRequired.InvalidPaymentRequiredError,
  )
})

test('decode rejects what is not a PaymentRequired', () => {
  for (const header of ['', '!!!', Buffer.from('{}').toString('base64'), Buffer.from('not json').toString('base64')])
    assert.throws(() => PaymentRequired.decode(header), PaymentRequired.InvalidPaymentRequiredError)
})
