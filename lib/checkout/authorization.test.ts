import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { recoverTypedDataAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Credential from '@/lib/protocol/Credential'
import * as Evm from '@/lib/protocol/methods/evm'
import { authorizationCredential, hashCredential, prepareAuthorization } from './authorization'
import { readOffers } from './offers'
import { classifyWalletError } from './wallet-errors'

// anvil's well-known test key #1: public, never used on a real chain.
const payer = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
const expires = new Date('2030-01-01T00:00:00.000Z')
const challenge = Challenge.create({
  secret: 'y'.repeat(32),
  realm: '127.0.0.1:3000',
  method: 'evm',
  intent: 'charge',
  request: {
    amount: '10000',
    currency: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    recipient: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
    methodDetails: { chainId: 31337, decimals: 6, credentialTypes: ['authorization', 'hash'] },
  },
  expires,
  opaque: { resource: 'link:1' },
})
const offer = readOffers(Challenge.serialize(challenge)).evm!

describe('prepareAuthorization', () => {
  test('binds the nonce to the challenge and validBefore to its expiry', () => {
    const prepared = prepareAuthorization(offer, payer.address, { name: 'USD Coin', version: '2' })
    assert.equal(prepared.authorization.nonce, Evm.authorizationNonce(challenge.id, challenge.realm))
    assert.equal(prepared.authorization.validBefore, String(expires.getTime() / 1000))
    assert.equal(prepared.authorization.validAfter, '0')
    assert.equal(prepared.authorization.value, '10000')
    assert.equal(prepared.authorization.to, '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266')
    const document = JSON.parse(prepared.typedDataJson) as { domain: unknown; primaryType: string; message: unknown }
    assert.deepEqual(document.domain, {
      name: 'USD Coin',
      version: '2',
      chainId: 31337,
      verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    })
    assert.equal(document.primaryType, 'TransferWithAuthorization')
    assert.deepEqual(document.message, prepared.authorization)
  })

  test('without an expiry, a few minutes from now', () => {
    const open = { ...offer, expiresAt: null }
    const prepared = prepareAuthorization(open, payer.address, { name: 'USD Coin', version: '2' }, 1_700_000_000_000)
    assert.equal(prepared.authorization.validBefore, String(1_700_000_000 + 240))
  })
})

describe('credentials', () => {
  test('a signed authorization round-trips through the server codec and recovers the payer', async () => {
    const prepared = prepareAuthorization(offer, payer.address, { name: 'USD Coin', version: '2' })
    const signature = await payer.signTypedData(JSON.parse(prepared.typedDataJson) as Parameters<typeof payer.signTypedData>[0])
    const credential = Credential.deserialize(authorizationCredential(offer, prepared, signature))
    assert.equal(credential.challenge.id, challenge.id)
    assert.deepEqual(credential.challenge.opaque, { resource: 'link:1' })
    assert.equal(credential.source, `did:pkh:eip155:31337:${payer.address}`)
    const payload = Evm.parsePayload(credential.payload)
    assert.equal(payload.type, 'authorization')
    if (payload.type !== 'authorization') return
    const recovered = await recoverTypedDataAddress({
      ...Evm.transferWithAuthorizationTypedData(
        { name: 'USD Coin', version: '2', chainId: 31337, verifyingContract: offer.currency },
        payload,
      ),
      signature: payload.signature,
    })
    assert.equal(recovered, payer.address)
  })

  test('a transfer hash credential', () => {
    const hash = `0x${'12'.repeat(32)}` as const
    const credential = Credential.deserialize(hashCredential(offer, hash, payer.address))
    assert.deepEqual(credential.payload, { type: 'hash', hash })
  })
})

describe('classifyWalletError', () => {
  test('reads codes through wrapped causes', () => {
    assert.equal(classifyWalletError({ code: 4001, message: 'User rejected' }).kind, 'rejected')
    assert.equal(classifyWalletError(new Error('outer', { cause: { code: 4001 } })).kind, 'rejected')
    assert.equal(classifyWalletError({ code: 4200, message: 'nope' }).kind, 'unsupported')
    assert.equal(classifyWalletError({ code: -32601, message: 'Method not found' }).kind, 'unsupported')
    assert.equal(classifyWalletError(new Error('eth_signTypedData_v4 method not supported')).kind, 'unsupported')
    assert.equal(classifyWalletError({ code: 4902 }).kind, 'unknown-chain')
    assert.match(classifyWalletError({ code: 4001 }).message, /Nothing was charged/)
    const other = classifyWalletError(new Error('boom\nstack'))
    assert.deepEqual(other, { kind: 'other', message: 'The wallet reported an error: boom' })
  })
})
