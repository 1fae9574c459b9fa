// Interop with the reference x402 v2 client (@x402/core + @x402/evm + @x402/fetch, pinned in
// package.json): it must read the PAYMENT-REQUIRED we emit, and the PAYMENT-SIGNATURE it produces
// must pass our strict decoder, match our offer, and verify against the typed data we build.
// Pure: signing needs no chain, and the "server" is an in-process fetch function.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { x402Client, x402HTTPClient } from '@x402/core/client'
import { decodePaymentRequiredHeader, decodePaymentSignatureHeader } from '@x402/core/http'
import { parsePaymentPayload, parsePaymentRequired } from '@x402/core/schemas'
import { ExactEvmScheme } from '@x402/evm/exact/client'
import { wrapFetchWithPayment } from '@x402/fetch'
import { recoverTypedDataAddress, verifyTypedData } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import * as Evm from '@/lib/protocol/methods/evm'
import { PaymentRequired, PaymentRequirements, PaymentResponse, PaymentSignature, x402Headers } from '@/lib/protocol/x402'

// anvil's second default account: a well-known test key, never a real one.
const payer = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')

const offer = PaymentRequirements.exactEvm({
  chainId: 31337,
  asset: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
  amount: 250_000n,
  payTo: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
  maxTimeoutSeconds: 300,
  name: 'Tollgate USD',
  version: '2',
})
// A second offer on another chain, so matching has to pick the right one.
const otherOffer = PaymentRequirements.exactEvm({ ...offerParameters(), chainId: 84532, name: 'USDC' })

function offerParameters() {
  return {
    asset: offer.asset,
    amount: offer.amount,
    payTo: offer.payTo,
    maxTimeoutSeconds: offer.maxTimeoutSeconds,
    name: offer.extra.name,
    version: offer.extra.version,
  }
}

const paymentRequired = PaymentRequired.from({
  resource: { url: 'http://127.0.0.1/l/premium-report', description: 'Premium report', mimeType: 'text/plain' },
  accepts: [offer, otherOffer],
  error: 'PAYMENT-SIGNATURE header is required',
})
const paymentRequiredHeader = PaymentRequired.encode(paymentRequired)

// The reference client refuses tokens outside its built-in list unless the payer allows them:
// a local test token needs this on the client side (a client setting, not a wire format).
function referenceClient() {
  return new x402Client()
    .register('eip155:*', new ExactEvmScheme(payer))
    .setSpendControls({ allowedAssets: [{ network: offer.network, asset: offer.asset }] })
}

async function verifyEip3009(header: string) {
  const decoded = PaymentSignature.decode(header)
  const matched = PaymentSignature.matchAccepted(decoded.accepted, paymentRequired.accepts)
  assert.equal(matched, offer, 'accepted must deep-equal the offer the client chose')
  assert.ok(PaymentSignature.isEip3009(decoded.payload))
  const { authorization, signature } = decoded.payload
  assert.equal(authorization.from, payer.address)
  assert.equal(authorization.to, offer.payTo)
  assert.equal(authorization.value, offer.amount)
  const typedData = Evm.transferWithAuthorizationTypedData(PaymentRequirements.domain(matched), authorization)
  assert.equal(await recoverTypedDataAddress({ ...typedData, signature }), payer.address)
  assert.equal(await verifyTypedData({ ...typedData, address: payer.address, signature }), true)
  return { decoded, authorization }
}

describe('our PAYMENT-REQUIRED, read by the reference client', () => {
  test('decodes with the @x402/core header helper to exactly what we built', () => {
    assert.deepEqual(decodePaymentRequiredHeader(paymentRequiredHeader), paymentRequired)
  })

  test('passes the @x402/core v2 schema', () => {
    const parsed = parsePaymentRequired(decodePaymentRequiredHeader(paymentRequiredHeader))
    assert.equal(parsed.success, true)
  })

  test('x402HTTPClient picks it out of a 402 response by header name, case-insensitively', () => {
    const headers = new Headers({ [x402Headers.paymentRequired.toLowerCase()]: paymentRequiredHeader })
    const read = new x402HTTPClient(referenceClient()).getPaymentRequiredResponse((name) => headers.get(name))
    assert.deepEqual(read, paymentRequired)
  })
})

describe('the reference client PAYMENT-SIGNATURE, read by us', () => {
  test('an @x402/evm exact (EIP-3009) payload decodes, matches our offer, and recovers to the payer', async () => {
    const httpClient = new x402HTTPClient(referenceClient())
    const payload = await httpClient.createPaymentPayload(decodePaymentRequiredHeader(paymentRequiredHeader))
    const headers = httpClient.encodePaymentSignatureHeader(payload)
    const header = headers[x402Headers.paymentSignature]
    assert.ok(header, `the client sends ${x402Headers.paymentSignature}`)
    const { decoded, authorization } = await verifyEip3009(header)
    // Nothing the client sent was lost or altered by our validation.
    assert.deepEqual(decoded, JSON.parse(JSON.stringify(decodePaymentSignatureHeader(header))))
    // A random 32-byte nonce, and a window that covers now.
    assert.match(authorization.nonce, /^0x[0-9a-f]{64}$/)
    const now = BigInt(Math.floor(Date.now() / 1000))
    assert.ok(BigInt(authorization.validAfter) <= now)
    assert.ok(BigInt(authorization.validBefore) > now)
    assert.equal(decoded.resource?.url, paymentRequired.resource.url)
  })

  test('what we decode still passes the @x402/core payload schema', async () => {
    const payload = await referenceClient().createPaymentPayload(paymentRequired)
    const decoded = PaymentSignature.decode(PaymentSignature.encode(PaymentSignature.parse(payload)))
    assert.equal(parsePaymentPayload(decoded).success, true)
  })

  test('a tampered signature still decodes (it is well-formed) but no longer recovers to the payer', async () => {
    const payload = await referenceClient().createPaymentPayload(paymentRequired)
    const decoded = PaymentSignature.parse(payload)
    assert.ok(PaymentSignature.isEip3009(decoded.payload))
    const tampered = { ...decoded.payload.authorization, value: (BigInt(offer.amount) - 1n).toString() }
    const typedData = Evm.transferWithAuthorizationTypedData(PaymentRequirements.domain(offer), tampered)
    assert.equal(await verifyTypedData({ ...typedData, address: payer.address, signature: decoded.payload.signature }), false)
  })

  test('an @x402/evm Permit2 payload decodes as Permit2 when we offer that transfer method', async () => {
    const permit2Offer = PaymentRequirements.exactEvm({ ...offerParameters(), chainId: 31337, assetTransferMethod: 'permit2' })
    const payload = await referenceClient().createPaymentPayload(
      PaymentRequired.from({ resource: paymentRequired.resource, accepts: [permit2Offer] }),
    )
    const decoded = PaymentSignature.decode(
      new x402HTTPClient(referenceClient()).encodePaymentSignatureHeader(payload)[x402Headers.paymentSignature]!,
    )
    assert.ok(PaymentSignature.isPermit2(decoded.payload))
    assert.equal(decoded.payload.permit2Authorization.witness.to, permit2Offer.payTo)
    assert.equal(PaymentSignature.matchAccepted(decoded.accepted, [offer, permit2Offer]), permit2Offer)
  })
})

test('@x402/fetch pays a 402 carrying our PAYMENT-REQUIRED and reads our PAYMENT-RESPONSE', async () => {
  const transaction = `0x${'ab'.repeat(32)}` as const
  const seen: string[] = []
  // Stands in for the gate: 402 without a signature; with one, decode, match, verify, answer 200.
  const server: typeof fetch = async (input, init) => {
    const request = new Request(input, init)
    const header = request.headers.get(x402Headers.paymentSignature)
    if (header === null) {
      seen.push('402')
      return new Response('{}', {
        status: 402,
        headers: { [x402Headers.paymentRequired]: paymentRequiredHeader, 'content-type': 'application/json' },
      })
    }
    const { authorization } = await verifyEip3009(header)
    seen.push('paid')
    const settled = PaymentResponse.success({ transaction, network: offer.network, payer: authorization.from })
    return new Response('premium report', { status: 200, headers: { [x402Headers.paymentResponse]: PaymentResponse.encode(settled) } })
  }

  const response = await wrapFetchWithPayment(server, referenceClient())('http://127.0.0.1/l/premium-report')
  assert.equal(response.status, 200)
  assert.equal(await response.text(), 'premium report')
  assert.deepEqual(seen, ['402', 'paid'])
  const settle = new x402HTTPClient(referenceClient()).getPaymentSettleResponse((name) => response.headers.get(name))
  assert.deepEqual(settle, { success: true, transaction, network: 'eip155:31337', payer: payer.address })
})
