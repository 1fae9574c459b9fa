// Properties: Payload.parse returns a payload or throws MalformedSessionPayloadError whatever it is given;
// Payload.check of anything that parses throws only payment problems; a channelId passes check exactly when it
// derives from the payer and the challenge; parseSource never throws.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { type Address, type Hex, bytesToHex, getAddress } from 'viem'
import { MalformedSessionPayloadError, PaymentProblem } from '@/lib/protocol/Problem'
import * as Channel from './Channel'
import { anything, mutationsOf, numRuns, onlyThrows } from './internal/fuzzing'
import * as Payload from './Payload'
import * as Request from './Request'

const payer = getAddress('0xaabbccddee11223344556677889900aabbccddee')
const token: Address = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'
const merchant: Address = '0x742d35Cc6634c0532925a3b844bC9e7595F8fE00'
const escrow: Address = '0x1234567890AbcdEF1234567890aBcdef12345678'
const salt: Hex = `0x${'aa'.repeat(32)}`
const signature: Hex = `0x${'ab'.repeat(64)}1b`
const now = 1_743_520_000
const request = Request.create({ amount: 100n, currency: token, recipient: merchant, chainId: 196, escrowContract: escrow, feePayer: true })
const channelId = Channel.computeId({ payer, payee: merchant, token, salt, escrow, chainId: 196 })
const source = `did:pkh:eip155:196:${payer}`
const authorization = (nonce: Hex) => ({ from: payer, to: escrow, value: '10', validAfter: '0', validBefore: String(now + 60), nonce })
const openNonce = Channel.openNonce({ from: payer, payee: merchant, token, salt })
const topUpNonce = Channel.topUpNonce({ channelId, additionalDeposit: 10n, from: payer, topUpSalt: salt })

const validPayloads = [
  { action: 'open', type: 'hash', channelId, hash: salt, cumulativeAmount: '0', signature, salt },
  {
    action: 'open',
    type: 'authorization',
    channelId,
    authorization: authorization(openNonce),
    signature,
    cumulativeAmount: '0',
    voucherSignature: signature,
    salt,
  },
  { action: 'topUp', type: 'hash', channelId, hash: salt, additionalDeposit: '10' },
  { action: 'topUp', type: 'authorization', channelId, salt, authorization: authorization(topUpNonce), signature, additionalDeposit: '10' },
  { action: 'voucher', channelId, cumulativeAmount: '5', signature },
  {
    action: 'voucher',
    channelId,
    cumulativeAmount: '5',
    signature,
    deposit: { action: 'open', type: 'authorization', authorization: authorization(openNonce), signature, salt },
  },
  {
    action: 'voucher',
    channelId,
    cumulativeAmount: '5',
    signature,
    deposit: { action: 'topUp', type: 'authorization', authorization: authorization(topUpNonce), signature, salt },
  },
  { action: 'close', channelId, cumulativeAmount: '5', signature },
]

describe('Payload.parse under arbitrary input', () => {
  test('arbitrary values', () => {
    fc.assert(
      fc.property(anything, (value) => onlyThrows([MalformedSessionPayloadError], () => Payload.parse(value))),
      { numRuns },
    )
  })

  test('valid payloads with one part broken', () => {
    fc.assert(
      fc.property(fc.oneof(...validPayloads.map(mutationsOf)), (value) =>
        onlyThrows([MalformedSessionPayloadError], () => Payload.parse(value)),
      ),
      { numRuns },
    )
  })

  test('the unbroken payloads parse to themselves and pass check', () => {
    for (const payload of validPayloads) {
      assert.deepEqual(Payload.parse(payload), payload)
      Payload.check(Payload.parse(payload), { request, source, nowSeconds: now })
    }
  })
})

describe('Payload.check under arbitrary input', () => {
  test('anything that parses is checked without any error but payment problems', () => {
    fc.assert(
      fc.property(
        fc.oneof(...validPayloads.map(mutationsOf)),
        fc.option(fc.oneof(fc.string(), fc.constant(source))),
        (value, maybeSource) =>
          onlyThrows([PaymentProblem], () =>
            Payload.check(Payload.parse(value), { request, source: maybeSource ?? undefined, nowSeconds: now }),
          ),
      ),
      { numRuns },
    )
  })

  test('an open passes exactly when its channelId derives from its payer, salt and signer', () => {
    const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((bytes) => getAddress(bytesToHex(bytes)))
    const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => bytesToHex(bytes))
    fc.assert(
      fc.property(address, bytes32, fc.option(address), fc.boolean(), bytes32, (from, openSalt, signer, honest, forged) => {
        const derived = Channel.computeId({
          payer: from,
          payee: merchant,
          token,
          salt: openSalt,
          authorizedSigner: signer ?? undefined,
          escrow,
          chainId: 196,
        })
        const payload = Payload.parse({
          action: 'open',
          type: 'hash',
          channelId: honest ? derived : forged,
          hash: forged,
          cumulativeAmount: '0',
          signature,
          salt: openSalt,
          ...(signer ? { authorizedSigner: signer } : {}),
        })
        const run = () => Payload.check(payload, { request, source: `did:pkh:eip155:196:${from}`, nowSeconds: now })
        if (honest || forged === derived) assert.equal(run().payer, from)
        else assert.throws(run, PaymentProblem)
      }),
      { numRuns },
    )
  })
})

test('parseSource never throws', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.string({ unit: 'binary' }).map((s) => `did:pkh:eip155:${s}`),
      ),
      (value) => {
        const parsed = Payload.parseSource(value)
        if (parsed) assert.equal(`did:pkh:eip155:${parsed.chainId}:${parsed.address}`.toLowerCase(), value.toLowerCase())
      },
    ),
    { numRuns },
  )
})
