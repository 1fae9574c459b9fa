import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as MppxEvm from 'mppx/evm'
import { hashTypedData, keccak256, recoverTypedDataAddress, stringToHex, verifyTypedData } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { InvalidChallengeError, MalformedCredentialError } from '@/lib/protocol/Problem'
import * as Evm from './evm'

// anvil's second default account: a well-known test key, never a real one.
const payer = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
const token = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'
// The spec examples' recipient; note its casing there is not a valid EIP-55 checksum.
const specRecipient = '0x742d35Cc6634C0532925a3b844Bc9e7595f8fE00'
const merchant = '0x742d35Cc6634c0532925a3b844bC9e7595F8fE00'

describe('authorizationNonce', () => {
  test('is keccak256 of the packed UTF-8 id then realm', () => {
    assert.equal(Evm.authorizationNonce('aB3cDeF4gHiJkLmN', 'api.example.com'), keccak256(stringToHex('aB3cDeF4gHiJkLmNapi.example.com')))
  })

  test('agrees with the reference client (mppx) challengeHash', () => {
    for (const [id, realm] of [
      ['x', 'y'],
      ['kM9xPqWvT2nJrHsY4aDfEb', 'tollgate.local:3000'],
      ['', ''],
      ['ünï', 'cödé'],
    ] as const)
      assert.equal(Evm.authorizationNonce(id, realm), MppxEvm.challengeHash({ id, realm }))
  })

  test('differs when either part differs', () => {
    assert.notEqual(Evm.authorizationNonce('a', 'b'), Evm.authorizationNonce('a', 'c'))
    assert.notEqual(Evm.authorizationNonce('a', 'b'), Evm.authorizationNonce('b', 'b'))
  })
})

describe('request', () => {
  test('parses the spec examples', () => {
    const sei = Evm.parseRequest({
      amount: '1000000',
      currency: '0xe15fc38f6d8c56af07bbcbe3baf5708a2bf42392',
      recipient: specRecipient,
      description: 'Premium API call',
      methodDetails: { chainId: 1329 },
    })
    assert.equal(sei.methodDetails.chainId, 1329)
    const marketplace = Evm.parseRequest({
      amount: '1050000',
      currency: '0xe15fc38f6d8c56af07bbcbe3baf5708a2bf42392',
      recipient: merchant,
      description: 'Marketplace purchase',
      methodDetails: {
        chainId: 1329,
        credentialTypes: ['permit2'],
        splits: [{ recipient: '0x8Ba1f109551bD432803012645Ac136ddd64DBA72', amount: '50000', memo: 'platform fee' }],
      },
    })
    assert.equal(marketplace.methodDetails.splits?.[0]?.memo, 'platform fee')
  })

  test('createRequest checksums addresses, omits absent keys, and parses back', () => {
    const request = Evm.createRequest({
      amount: 10_000n,
      currency: token.toLowerCase() as `0x${string}`,
      recipient: merchant.toLowerCase() as `0x${string}`,
      chainId: 31337,
      decimals: 6,
      credentialTypes: ['authorization'],
    })
    assert.deepEqual(request, {
      amount: '10000',
      currency: token,
      recipient: merchant,
      methodDetails: { chainId: 31337, credentialTypes: ['authorization'], decimals: 6 },
    })
    assert.deepEqual(Evm.parseRequest(JSON.parse(JSON.stringify(request))), request)
    // The reference client's own schema accepts what we offer.
    assert.equal(MppxEvm.ChargeRequestSchema.safeParse(request).success, true)
  })

  test('createRequest rejects configuration mistakes', () => {
    const base = { amount: '1', currency: token, recipient: merchant, chainId: 1 } as const
    assert.throws(() => Evm.createRequest({ ...base, amount: -1n }), Evm.InvalidRequestParametersError)
    assert.throws(() => Evm.createRequest({ ...base, chainId: 0 }), Evm.InvalidRequestParametersError)
    assert.throws(() => Evm.createRequest({ ...base, currency: '0x1234' }), Evm.InvalidRequestParametersError)
    assert.throws(
      () => Evm.createRequest({ ...base, amount: '100', splits: [{ recipient: merchant, amount: '100' }] }),
      Evm.InvalidRequestParametersError,
    )
  })

  test('parseRequest rejects invalid requests with InvalidChallengeError', () => {
    const valid = { amount: '100', currency: token, recipient: merchant, methodDetails: { chainId: 8453 } }
    const invalid: unknown[] = [
      null,
      'request',
      { ...valid, amount: 100 },
      { ...valid, amount: '0100' },
      { ...valid, amount: '1e3' },
      { ...valid, amount: (2n ** 256n).toString() },
      { ...valid, currency: 'usd' },
      { ...valid, recipient: undefined },
      { ...valid, methodDetails: undefined },
      { ...valid, methodDetails: { chainId: '8453' } },
      { ...valid, methodDetails: { chainId: 1.5 } },
      { ...valid, methodDetails: { chainId: 8453, credentialTypes: [] } },
      { ...valid, methodDetails: { chainId: 8453, credentialTypes: ['card'] } },
      { ...valid, methodDetails: { chainId: 8453, decimals: 256 } },
      { ...valid, methodDetails: { chainId: 8453, splits: [] } },
      {
        ...valid,
        methodDetails: {
          chainId: 8453,
          splits: [
            { recipient: merchant, amount: '60' },
            { recipient: merchant, amount: '40' },
          ],
        },
      },
      { ...valid, methodDetails: { chainId: 8453, splits: Array.from({ length: 11 }, () => ({ recipient: merchant, amount: '1' })) } },
      { ...valid, methodDetails: { chainId: 8453, splits: [{ recipient: merchant, amount: '1', memo: 'm'.repeat(257) }] } },
    ]
    for (const value of invalid) assert.throws(() => Evm.parseRequest(value), InvalidChallengeError, JSON.stringify(value))
    assert.equal(
      Evm.parseRequest({ ...valid, methodDetails: { chainId: 8453, splits: [{ recipient: merchant, amount: '99' }] } }).amount,
      '100',
    )
  })
})

describe('parsePayload', () => {
  const signature = `0x${'ab'.repeat(65)}` as const
  const authorization = {
    type: 'authorization',
    from: payer.address,
    to: merchant,
    value: '1000000',
    validAfter: '0',
    validBefore: '1743523500',
    nonce: Evm.authorizationNonce('aB3cDeF4gHiJkLmN', 'api.example.com'),
    signature,
  } as const

  test('accepts each credential type the spec defines', () => {
    assert.deepEqual(Evm.parsePayload(authorization), authorization)
    assert.deepEqual(
      Evm.parsePayload({ type: 'hash', hash: `0x1a2b3c4d5e6f7890abcdef1234567890abcdef1234567890abcdef1234567890` }).type,
      'hash',
    )
    assert.equal(Evm.parsePayload({ type: 'transaction', signature: '0x02f8' }).type, 'transaction')
    const permit2 = {
      type: 'permit2',
      permit: {
        permitted: [
          { token, amount: '1000000000000000000' },
          { token, amount: '50000000000000000' },
        ],
        nonce: '1',
        deadline: '1743523500',
      },
      transferDetails: [
        { to: merchant, requestedAmount: '1000000000000000000' },
        { to: '0x8Ba1f109551bD432803012645Ac136ddd64DBA72', requestedAmount: '50000000000000000' },
      ],
      witness: { challengeHash: Evm.authorizationNonce('sP1itBatchEx4mple', 'marketplace.example.com') },
      signature,
    }
    assert.deepEqual(Evm.parsePayload(permit2), permit2)
  })

  test('drops unknown keys rather than passing them on', () => {
    assert.deepEqual(Evm.parsePayload({ ...authorization, extra: 'x' }), authorization)
  })

  test('rejects malformed payloads with MalformedCredentialError', () => {
    const invalid: unknown[] = [
      undefined,
      [],
      {},
      { ...authorization, type: 'Authorization' },
      { ...authorization, type: undefined },
      { ...authorization, nonce: '0x1234' },
      { ...authorization, nonce: `0x${'g'.repeat(64)}` },
      { ...authorization, signature: '0x' },
      { ...authorization, signature: '0xabc' },
      { ...authorization, signature: 'abcd' },
      { ...authorization, value: '-1' },
      { ...authorization, value: '01' },
      { ...authorization, value: ' 1' },
      { ...authorization, validBefore: 1743523500 },
      { ...authorization, from: '0x' + 'a'.repeat(39) },
      { type: 'hash', hash: '0x1234' },
      { type: 'transaction' },
      {
        type: 'permit2',
        permit: { permitted: [{ token, amount: '1' }], nonce: '1', deadline: '1' },
        transferDetails: [],
        witness: { challengeHash: authorization.nonce },
        signature,
      },
    ]
    for (const value of invalid) assert.throws(() => Evm.parsePayload(value), MalformedCredentialError, JSON.stringify(value))
  })
})

describe('transferWithAuthorizationTypedData', () => {
  const domain = { name: 'USD Coin', version: '2', chainId: 31337, verifyingContract: token } as const
  const authorization = {
    from: payer.address,
    to: merchant,
    value: '10000',
    validAfter: '0',
    validBefore: '1900000000',
    nonce: Evm.authorizationNonce('challenge-1', 'tollgate.test'),
  } as const

  test('a signature over it recovers to the payer', async () => {
    const typedData = Evm.transferWithAuthorizationTypedData(domain, authorization)
    const signature = await payer.signTypedData(typedData)
    assert.equal(await recoverTypedDataAddress({ ...typedData, signature }), payer.address)
    assert.equal(await verifyTypedData({ ...typedData, address: payer.address, signature }), true)
    // Any changed field breaks it.
    const tampered = Evm.transferWithAuthorizationTypedData(domain, { ...authorization, value: '10001' })
    assert.equal(await verifyTypedData({ ...tampered, address: payer.address, signature }), false)
  })

  test('hashes identically to the reference client (mppx) definition', () => {
    const ours = Evm.transferWithAuthorizationTypedData(domain, authorization)
    const theirs = hashTypedData({
      domain: MppxEvm.authorizationDomain({
        authorization: { name: domain.name, version: domain.version },
        chainId: domain.chainId,
        currency: token,
      }),
      types: MppxEvm.authorizationTypes,
      primaryType: 'TransferWithAuthorization',
      message: { ...authorization, value: 10000n, validAfter: 0n, validBefore: 1_900_000_000n },
    })
    assert.equal(hashTypedData(ours), theirs)
  })

  test('accepts any address casing, even a broken checksum, since addresses compare by value', () => {
    const broken = Evm.transferWithAuthorizationTypedData(domain, { ...authorization, to: specRecipient })
    assert.equal(hashTypedData(broken), hashTypedData(Evm.transferWithAuthorizationTypedData(domain, authorization)))
    const lower = Evm.transferWithAuthorizationTypedData(
      { ...domain, verifyingContract: token.toLowerCase() as `0x${string}` },
      {
        ...authorization,
        from: payer.address.toLowerCase() as `0x${string}`,
        to: merchant.toUpperCase().replace('0X', '0x') as `0x${string}`,
      },
    )
    assert.equal(hashTypedData(lower), hashTypedData(Evm.transferWithAuthorizationTypedData(domain, authorization)))
  })
})

test('payerSource is the did:pkh form mppx compares against', () => {
  assert.equal(
    Evm.payerSource(8453, payer.address.toLowerCase() as `0x${string}`),
    MppxEvm.toSource({ address: payer.address, chainId: 8453 }),
  )
})
