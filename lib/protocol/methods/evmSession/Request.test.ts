import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type Address, getAddress } from 'viem'
import { InvalidRequestParametersError } from '@/lib/protocol/methods/evm'
import { InvalidChallengeError } from '@/lib/protocol/Problem'
import * as Request from './Request'

const token: Address = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'
const merchant: Address = '0x742d35Cc6634c0532925a3b844bC9e7595F8fE00'
const escrow: Address = '0x1234567890AbcdEF1234567890aBcdef12345678'

describe('parse', () => {
  test('reads both spec examples (new and existing channel)', () => {
    const fresh = Request.parse({
      amount: '100',
      unitType: 'llm_token',
      suggestedDeposit: '5000000',
      currency: '0x74b7F16337b8972027F6196A17a631ac6dE26d22',
      recipient: '0x742d35cc6634c0532925a3b844bc9e7595f8fe00',
      methodDetails: { escrowContract: '0x1234567890abcdef1234567890abcdef12345678', chainId: 196, minVoucherDelta: '10000' },
    })
    // Addresses come out EIP-55 (compared by value; the spec's casing of this token is not a checksum).
    assert.equal(fresh.currency, getAddress('0x74b7f16337b8972027f6196a17a631ac6de26d22'))
    assert.equal(fresh.recipient, merchant)
    assert.equal(fresh.methodDetails.escrowContract, escrow)
    assert.equal(fresh.methodDetails.minVoucherDelta, '10000')
    const resumed = Request.parse({
      amount: '25',
      unitType: 'llm_token',
      currency: '0xA8CE8aee21bC2A48a5EF670afCc9274C7bbbC035',
      recipient: '0x742d35cc6634c0532925a3b844bc9e7595f8fe00',
      methodDetails: {
        escrowContract: '0x1234567890abcdef1234567890abcdef12345678',
        channelId: '0x6D0F4FDF1F2F6A1F6C1B0FBD6A7D5C2C0A8D3D7B1F6A9C1B3E2D4A5B6C7D8E9F',
        chainId: 196,
      },
    })
    assert.equal(
      resumed.methodDetails.channelId,
      '0x6d0f4fdf1f2f6a1f6c1b0fbd6a7d5c2c0a8d3d7b1f6a9c1b3e2d4a5b6c7d8e9f',
      'hex comes out lowercase',
    )
  })

  test('accepts every credential type the spec lists, permit2 included (other servers may offer it)', () => {
    const request = Request.parse({
      amount: '1',
      currency: token,
      recipient: merchant,
      methodDetails: {
        chainId: 1,
        escrowContract: escrow,
        feePayer: true,
        credentialTypes: ['permit2', 'authorization', 'hash'],
        permit2Contract: token,
      },
    })
    assert.deepEqual(Request.acceptedCredentialTypes(request), ['permit2', 'authorization', 'hash'])
  })

  test('credentialTypes defaults to ["hash"]', () => {
    const request = Request.parse({
      amount: '1',
      currency: token,
      recipient: merchant,
      methodDetails: { chainId: 1, escrowContract: escrow },
    })
    assert.deepEqual(Request.acceptedCredentialTypes(request), ['hash'])
  })

  test('refuses what the spec does not allow, as InvalidChallengeError', () => {
    const valid = { amount: '1', currency: token, recipient: merchant, methodDetails: { chainId: 1, escrowContract: escrow } }
    for (const [why, broken] of [
      ['no escrowContract', { ...valid, methodDetails: { chainId: 1 } }],
      ['chainId as a string', { ...valid, methodDetails: { chainId: '1', escrowContract: escrow } }],
      ['amount above uint128', { ...valid, amount: (2n ** 128n).toString() }],
      ['amount with a leading zero', { ...valid, amount: '01' }],
      [
        'the charge-only transaction type',
        { ...valid, methodDetails: { chainId: 1, escrowContract: escrow, credentialTypes: ['transaction'] } },
      ],
      ['an empty credentialTypes', { ...valid, methodDetails: { chainId: 1, escrowContract: escrow, credentialTypes: [] } }],
      ['feePayer as a string', { ...valid, methodDetails: { chainId: 1, escrowContract: escrow, feePayer: 'true' } }],
      ['a short channelId', { ...valid, methodDetails: { chainId: 1, escrowContract: escrow, channelId: '0x12' } }],
      ['minVoucherDelta negative', { ...valid, methodDetails: { chainId: 1, escrowContract: escrow, minVoucherDelta: '-1' } }],
    ] as const)
      assert.throws(() => Request.parse(broken), InvalidChallengeError, why)
  })
})

describe('create', () => {
  test('builds a request with no absent keys that parses back to itself', () => {
    const request = Request.create({
      amount: 1_000n,
      unitType: 'request',
      suggestedDeposit: 100_000n,
      currency: token.toLowerCase() as `0x${string}`,
      recipient: merchant.toLowerCase() as `0x${string}`,
      chainId: 31337,
      escrowContract: escrow.toLowerCase() as `0x${string}`,
      minVoucherDelta: 1_000n,
      feePayer: true,
    })
    assert.deepEqual(request, {
      amount: '1000',
      unitType: 'request',
      suggestedDeposit: '100000',
      currency: token,
      recipient: merchant,
      methodDetails: {
        chainId: 31337,
        escrowContract: escrow,
        minVoucherDelta: '1000',
        feePayer: true,
        credentialTypes: ['authorization', 'hash'],
      },
    })
    assert.deepEqual(Request.parse(JSON.parse(JSON.stringify(request))), request)
  })

  test('never advertises what the escrow cannot back (spec: Relayed profile)', () => {
    const base = { amount: 1n, currency: token, recipient: merchant, chainId: 1, escrowContract: escrow }
    assert.throws(() => Request.create({ ...base, feePayer: true, credentialTypes: ['permit2', 'authorization'] }), /permit2/)
    assert.throws(() => Request.create({ ...base, feePayer: true, credentialTypes: ['hash'] }), /feePayer: true needs "authorization"/)
    assert.throws(() => Request.create({ ...base, credentialTypes: ['authorization'] }), /set feePayer: true/)
    assert.throws(() => Request.create({ ...base, amount: 0n }), InvalidRequestParametersError)
    assert.throws(() => Request.create({ ...base, amount: 10n, suggestedDeposit: 9n }), /suggestedDeposit/)
    assert.throws(() => Request.create({ ...base, escrowContract: '0x12' }), InvalidRequestParametersError)
    assert.deepEqual(Request.create(base).methodDetails, { chainId: 1, escrowContract: escrow })
  })
})
