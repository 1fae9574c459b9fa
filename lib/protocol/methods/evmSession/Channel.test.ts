import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type Address, type Hex, encodeAbiParameters, getAddress, keccak256, zeroAddress } from 'viem'
import * as Channel from './Channel'

const payer: Address = '0xaabbccddee11223344556677889900aabbccddee'
const payee: Address = '0x742d35cc6634c0532925a3b844bc9e7595f8fe00'
// The spec example's token, whose mixed casing is not a valid EIP-55 checksum: addresses compare by value.
const token: Address = '0x74b7F16337b8972027F6196A17a631ac6dE26d22'
const tokenLower = '0x74b7f16337b8972027f6196a17a631ac6de26d22'
const escrow: Address = '0x1234567890abcdef1234567890abcdef12345678'
const salt: Hex = '0xaaaa1234bbbb5678cccc9012dddd3456eeee7890ffff1234aaaa5678bbbb9012'
const signer: Address = '0x742d35cc6634c0532925a3b844bc9e7595f8fe00'

describe('computeId', () => {
  test('is keccak256(abi.encode(payer, payee, token, salt, authorizedSigner, escrow, chainId))', () => {
    const expected = keccak256(
      encodeAbiParameters(
        [
          { type: 'address' },
          { type: 'address' },
          { type: 'address' },
          { type: 'bytes32' },
          { type: 'address' },
          { type: 'address' },
          { type: 'uint256' },
        ],
        [payer, payee, tokenLower, salt, signer, escrow, 196n],
      ),
    )
    assert.equal(Channel.computeId({ payer, payee, token, salt, authorizedSigner: signer, escrow, chainId: 196 }), expected)
    assert.match(expected, /^0x[0-9a-f]{64}$/, 'lowercase hex, as the spec requires')
  })

  test('an omitted authorizedSigner is the zero address; addresses compare by value, not casing', () => {
    const base = { payer, payee, token, salt, escrow, chainId: 196 }
    assert.equal(Channel.computeId(base), Channel.computeId({ ...base, authorizedSigner: zeroAddress }))
    // The spec example's recipient casing is not a valid EIP-55 checksum; it still names the same address.
    assert.equal(
      Channel.computeId({ ...base, payee: '0x742d35Cc6634C0532925a3b844Bc9e7595f8fE00' }),
      Channel.computeId({ ...base, payee: payee.toUpperCase().replace('0X', '0x') as `0x${string}` }),
    )
  })

  test('every input changes the id (escrow and chain bind a channel to one deployment)', () => {
    const base = { payer, payee, token, salt, authorizedSigner: signer, escrow, chainId: 196 }
    const id = Channel.computeId(base)
    for (const change of [
      { payer: payee },
      { payee: payer },
      { token: escrow },
      { salt: `0x${'00'.repeat(32)}` as const },
      { authorizedSigner: zeroAddress },
      { escrow: token },
      { chainId: 8453 },
    ])
      assert.notEqual(Channel.computeId({ ...base, ...change }), id, JSON.stringify(change))
  })
})

describe('EIP-3009 nonces (Front-Running Protection)', () => {
  test('open: keccak256(abi.encode(from, payee, token, salt, authorizedSigner))', () => {
    const expected = keccak256(
      encodeAbiParameters(
        [{ type: 'address' }, { type: 'address' }, { type: 'address' }, { type: 'bytes32' }, { type: 'address' }],
        [payer, payee, tokenLower, salt, zeroAddress],
      ),
    )
    assert.equal(Channel.openNonce({ from: payer, payee, token, salt }), expected)
    assert.notEqual(Channel.openNonce({ from: payer, payee, token, salt, authorizedSigner: signer }), expected)
  })

  test('topUp: keccak256(abi.encode(channelId, additionalDeposit, from, topUpSalt)), amount as uint128', () => {
    const channelId = `0x${'6d'.repeat(32)}` as const
    const expected = keccak256(
      encodeAbiParameters(
        [{ type: 'bytes32' }, { type: 'uint256' }, { type: 'address' }, { type: 'bytes32' }],
        [channelId, 5_000_000n, payer, salt],
      ),
    )
    assert.equal(Channel.topUpNonce({ channelId, additionalDeposit: 5_000_000n, from: payer, topUpSalt: salt }), expected)
  })
})

test('voucherSigner: the authorized signer, else the payer (EIP-55)', () => {
  assert.equal(Channel.voucherSigner({ payer, authorizedSigner: signer }), getAddress(signer))
  assert.equal(Channel.voucherSigner({ payer, authorizedSigner: zeroAddress }), getAddress(payer))
  assert.equal(Channel.voucherSigner({ payer }), getAddress(payer))
})
