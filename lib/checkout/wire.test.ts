import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { encodeFunctionData, erc20Abi, hashTypedData, type Hex } from 'viem'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Credential from '@/lib/protocol/Credential'
import * as Evm from '@/lib/protocol/methods/evm'
import * as Receipt from '@/lib/protocol/Receipt'
import * as Wire from './wire'

const secret = 'z'.repeat(32)
const hex = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => `0x${Buffer.from(b).toString('hex')}` as Hex)
const text = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/[\u0000-\u001f\u007f"\\]/.test(s) && !/[\ud800-\udfff]/.test(s))

const challenges = fc.record({
  realm: text,
  request: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.oneof(fc.string(), fc.integer(), fc.boolean()), { maxKeys: 4 }),
  description: fc.option(text, { nil: undefined }),
  opaque: fc.option(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string(), { maxKeys: 3 }), { nil: undefined }),
  expires: fc.option(fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), { nil: undefined }),
  header: fc.option(fc.constant('Payment-Authorization'), { nil: undefined }),
})

describe('serializeCredential', () => {
  test('writes exactly what Credential.serialize writes', () => {
    fc.assert(
      fc.property(challenges, fc.option(text, { nil: undefined }), hex(32), (fields, source, hash) => {
        const challenge = Challenge.create({ secret, method: 'evm', intent: 'charge', ...fields })
        const credential = { challenge, payload: { type: 'hash', hash }, ...(source !== undefined ? { source } : {}) }
        assert.equal(Wire.serializeCredential(credential), Credential.serialize(credential))
        assert.deepEqual(
          Credential.deserialize(Wire.serializeCredential(credential)),
          Credential.deserialize(Credential.serialize(credential)),
        )
      }),
      { numRuns: 300 },
    )
  })
})

describe('authorization', () => {
  test('nonce equals Evm.authorizationNonce (the server check)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (id, realm) =>
        assert.equal(Wire.authorizationNonce(id, realm), Evm.authorizationNonce(id, realm)),
      ),
      { numRuns: 300 },
    )
    assert.equal(Wire.authorizationNonce('abc', '127.0.0.1:3000'), Evm.authorizationNonce('abc', '127.0.0.1:3000'))
  })

  test('the eth_signTypedData_v4 document hashes like Evm.transferWithAuthorizationTypedData', () => {
    fc.assert(
      fc.property(
        hex(20),
        hex(20),
        hex(20),
        fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
        fc.bigInt({ min: 0n, max: 2n ** 64n }),
        hex(32),
        (from, to, token, value, validBefore, nonce) => {
          const domain = { name: 'USD Coin', version: '2', chainId: 8453, verifyingContract: token }
          const authorization = { from, to, value: value.toString(), validAfter: '0', validBefore: validBefore.toString(), nonce }
          const document = JSON.parse(Wire.transferWithAuthorizationJson(domain, authorization)) as Parameters<typeof hashTypedData>[0]
          assert.equal(hashTypedData(document), hashTypedData(Evm.transferWithAuthorizationTypedData(domain, authorization)))
        },
      ),
      { numRuns: 100 },
    )
  })

  test('payerSource matches for checksummed payers', () => {
    const payer = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
    assert.equal(Wire.payerSource(31337, payer), Evm.payerSource(31337, payer))
  })
})

describe('decodeReceipt', () => {
  test('reads what Receipt.serialize writes', () => {
    const header = Receipt.serialize(
      Receipt.from({ method: 'evm', reference: '0xabc', timestamp: '2025-06-04T14:03:09.000Z', chainId: 31337, challengeId: 'x' }),
    )
    assert.deepEqual(Wire.decodeReceipt(header), {
      status: 'success',
      method: 'evm',
      reference: '0xabc',
      timestamp: '2025-06-04T14:03:09.000Z',
      chainId: 31337,
    })
  })

  test('never throws on junk', () => {
    fc.assert(
      fc.property(fc.string(), (junk) => {
        Wire.decodeReceipt(junk)
      }),
    )
    assert.equal(Wire.decodeReceipt('e30'), null)
    assert.equal(Wire.decodeReceipt('WzFd'), null)
  })
})

describe('ERC-20 calldata', () => {
  test('matches viem encodeFunctionData', () => {
    fc.assert(
      fc.property(hex(20), fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), (address, amount) => {
        assert.equal(Wire.balanceOfData(address), encodeFunctionData({ abi: erc20Abi, functionName: 'balanceOf', args: [address] }))
        assert.equal(
          Wire.transferData(address, amount),
          encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [address, amount] }),
        )
      }),
    )
    assert.equal(Wire.decodeUint256(`0x${'0'.repeat(60)}2710`), 10_000n)
    assert.throws(() => Wire.decodeUint256('0x'))
    assert.throws(() => Wire.transferData('0x00', -1n))
  })
})
