import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type Address, type Hex, getAddress, zeroAddress } from 'viem'
import * as Problem from '@/lib/protocol/Problem'
import * as Channel from './Channel'
import * as Payload from './Payload'
import * as Request from './Request'

const payer: Address = getAddress('0xaabbccddee11223344556677889900aabbccddee')
const token: Address = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'
const merchant: Address = '0x742d35Cc6634c0532925a3b844bC9e7595F8fE00'
const escrow: Address = '0x1234567890AbcdEF1234567890aBcdef12345678'
const salt: Hex = '0xaaaa1234bbbb5678cccc9012dddd3456eeee7890ffff1234aaaa5678bbbb9012'
const topUpSalt: Hex = '0xcccc5678dddd9012eeee3456ffff7890aaaa1234bbbb5678cccc9012dddd3456'
const signature: Hex = `0x${'ab'.repeat(64)}1b`
const hash: Hex = `0x${'9f'.repeat(32)}`
const now = 1_743_520_000
const later = String(now + 3_000)

const request = Request.create({
  amount: 100n,
  currency: token,
  recipient: merchant,
  chainId: 196,
  escrowContract: escrow,
  feePayer: true,
  credentialTypes: ['authorization', 'hash'],
})
const hashOnly = Request.create({ amount: 100n, currency: token, recipient: merchant, chainId: 196, escrowContract: escrow })
const channelId = Channel.computeId({ payer, payee: merchant, token, salt, escrow, chainId: 196 })
const source = `did:pkh:eip155:196:${payer.toLowerCase()}`

const authorization = (nonce: Hex, value = '10000000') => ({ from: payer, to: escrow, value, validAfter: '0', validBefore: later, nonce })
const openNonce = Channel.openNonce({ from: payer, payee: merchant, token, salt })
const topUpNonce = (value: bigint) => Channel.topUpNonce({ channelId, additionalDeposit: value, from: payer, topUpSalt })

const openHash = { action: 'open', type: 'hash', channelId, hash, cumulativeAmount: '0', signature, salt }
const openAuthorization = {
  action: 'open',
  type: 'authorization',
  channelId,
  authorization: authorization(openNonce),
  signature,
  cumulativeAmount: '0',
  voucherSignature: signature,
  salt,
}
const topUpHash = { action: 'topUp', type: 'hash', channelId, hash, additionalDeposit: '5000000' }
const topUpAuthorization = {
  action: 'topUp',
  type: 'authorization',
  channelId,
  salt: topUpSalt,
  authorization: authorization(topUpNonce(5_000_000n), '5000000'),
  signature,
  additionalDeposit: '5000000',
}
const voucher = { action: 'voucher', channelId, cumulativeAmount: '250000', signature }
const close = { action: 'close', channelId, cumulativeAmount: '500000', signature }

const malformed = (value: unknown, pattern: RegExp) =>
  assert.throws(
    () => Payload.parse(value),
    (error: unknown) => error instanceof Problem.MalformedSessionPayloadError && error.status === 400 && pattern.test(error.detail),
  )

describe('parse', () => {
  test('the four actions in each of their forms', () => {
    for (const payload of [openHash, openAuthorization, topUpHash, topUpAuthorization, voucher, close])
      assert.deepEqual(Payload.parse(payload), payload)
    const merged = {
      ...voucher,
      deposit: { action: 'topUp', type: 'authorization', salt: topUpSalt, authorization: authorization(topUpNonce(5n), '5'), signature },
    }
    assert.deepEqual(Payload.parse(merged), merged)
    const mergedOpen = {
      ...voucher,
      deposit: { action: 'open', type: 'authorization', salt, authorization: authorization(openNonce), signature },
    }
    assert.deepEqual(Payload.parse(mergedOpen), mergedOpen)
  })

  test('normalizes hex to lowercase and addresses to EIP-55, so a channelId is one key', () => {
    const parsed = Payload.parse({
      ...openHash,
      channelId: channelId.toUpperCase().replace('0X', '0x'),
      authorizedSigner: merchant.toLowerCase(),
    })
    assert.equal(parsed.channelId, channelId)
    assert.equal((parsed as Payload.OpenHash).authorizedSigner, merchant)
    assert.equal((Payload.parse(openAuthorization) as Payload.OpenAuthorization).authorization.from, getAddress(payer))
  })

  test('an unknown action, a missing field, an unaccepted type: 400 with the path', () => {
    malformed({ ...voucher, action: 'refund' }, /action: expected one of open, topUp, voucher, close/)
    malformed(null, /expected an object/)
    malformed([voucher], /expected an object/)
    malformed({ ...openHash, type: 'transaction' }, /type: expected "hash" or "authorization"/)
    malformed({ ...openHash, salt: undefined }, /salt/)
    malformed({ ...voucher, cumulativeAmount: 250000 }, /cumulativeAmount/)
    malformed({ ...voucher, cumulativeAmount: (2n ** 128n).toString() }, /uint128/)
    malformed({ ...close, signature: '0x' }, /signature/)
    malformed({ ...close, signature: `0x${'00'.repeat(4097)}` }, /at most 4096 bytes/)
    malformed({ ...topUpHash, additionalDeposit: '0' }, /greater than 0/)
    malformed({ ...openAuthorization, authorization: { ...openAuthorization.authorization, value: '0' } }, /value/)
  })

  test('Permit2 payloads are refused by name (this escrow has no Permit2 functions)', () => {
    malformed({ ...openAuthorization, type: 'permit2' }, /permit2.*no Permit2 functions/)
    malformed({ ...voucher, deposit: { action: 'topUp', type: 'permit2' } }, /permit2/)
  })

  test('a topUp additionalDeposit must equal the authorization value', () => {
    malformed({ ...topUpAuthorization, additionalDeposit: '5000001' }, /additionalDeposit: must equal authorization.value/)
  })

  test('a merged deposit needs its salt', () => {
    malformed(
      { ...voucher, deposit: { action: 'topUp', type: 'authorization', authorization: authorization(topUpNonce(5n), '5'), signature } },
      /salt/,
    )
  })
})

describe('parseSource', () => {
  test('reads did:pkh:eip155:<chainId>:<address> and nothing else', () => {
    assert.deepEqual(Payload.parseSource(source), { chainId: 196, address: getAddress(payer) })
    for (const other of [
      undefined,
      '',
      'did:pkh:eip155:196:0x12',
      'did:pkh:solana:1:abc',
      `did:pkh:eip155:0:${payer}`,
      `did:pkh:eip155:196:${payer} `,
    ])
      assert.equal(Payload.parseSource(other), undefined, String(other))
  })
})

describe('check against the challenge', () => {
  const ok = (payload: unknown, context: Partial<Payload.CheckContext> = {}) =>
    Payload.check(Payload.parse(payload), { request, source, nowSeconds: now, ...context })
  const refused = (payload: unknown, pattern: RegExp, context: Partial<Payload.CheckContext> = {}) =>
    assert.throws(
      () => ok(payload, context),
      (error: unknown) =>
        error instanceof Problem.PaymentProblem &&
        pattern.test(error.detail) &&
        (error.extensions as { channelId?: string }).channelId === channelId,
    )

  test('well-formed payloads pass and name their payer', () => {
    assert.deepEqual(ok(openHash), { channelId, payer: getAddress(payer) })
    assert.deepEqual(ok(openAuthorization), { channelId, payer: getAddress(payer) })
    assert.deepEqual(ok(topUpHash), { channelId, payer: getAddress(payer) })
    assert.deepEqual(ok(topUpAuthorization), { channelId, payer: getAddress(payer) })
    assert.deepEqual(ok(voucher, { source: undefined }), { channelId })
    assert.deepEqual(ok(close, { source: undefined }), { channelId })
  })

  test('hash payloads need a did:pkh source on the challenge chain', () => {
    refused(openHash, /needs the credential source/, { source: undefined })
    refused(openHash, /source names chain 1/, { source: `did:pkh:eip155:1:${payer}` })
    refused(topUpHash, /needs the credential source/, { source: 'payer' })
  })

  test('the channelId must derive from the payer, the recipient, the currency, the salt, the signer, the escrow and the chain', () => {
    refused(openHash, /channelId is not keccak256/, { source: `did:pkh:eip155:196:${merchant}` })
    refused({ ...openHash, authorizedSigner: merchant }, /channelId is not keccak256/)
    refused({ ...openHash, salt: topUpSalt }, /channelId is not keccak256/)
    const otherEscrow = { ...request, methodDetails: { ...request.methodDetails, escrowContract: merchant } }
    refused(openHash, /channelId is not keccak256/, { request: otherEscrow })
  })

  test('EIP-3009 authorizations: to the escrow, the derived nonce, an open window', () => {
    refused(
      { ...openAuthorization, authorization: { ...openAuthorization.authorization, to: merchant } },
      /authorization.to must be the escrow/,
    )
    refused({ ...openAuthorization, authorization: authorization(`0x${'00'.repeat(32)}`) }, /authorization.nonce must be/)
    refused({ ...openAuthorization, authorization: { ...openAuthorization.authorization, validBefore: String(now) } }, /expired/)
    refused({ ...openAuthorization, authorization: { ...openAuthorization.authorization, validAfter: String(now + 5) } }, /not valid yet/)
    refused({ ...topUpAuthorization, salt }, /authorization.nonce must be/)
    // The topUp nonce binds the amount: a changed amount (re-signed value, same nonce) is caught too.
    refused(
      { ...topUpAuthorization, additionalDeposit: '6', authorization: { ...topUpAuthorization.authorization, value: '6' } },
      /nonce must be/,
    )
  })

  test('merged deposits follow the same rules; an omitted authorizedSigner is the zero address', () => {
    const deposit = { action: 'open', type: 'authorization', salt, authorization: authorization(openNonce), signature }
    assert.deepEqual(ok({ ...voucher, deposit }), { channelId, payer: getAddress(payer) })
    // Deriving the nonce with authorization.from as the signer (instead of the zero address) is refused.
    const wrongSigner = Channel.openNonce({ from: payer, payee: merchant, token, salt, authorizedSigner: payer })
    refused({ ...voucher, deposit: { ...deposit, authorization: authorization(wrongSigner) } }, /nonce must be/)
    const topUp = { action: 'topUp', type: 'authorization', salt: topUpSalt, authorization: authorization(topUpNonce(7n), '7'), signature }
    assert.deepEqual(ok({ ...voucher, deposit: topUp }), { channelId })
    assert.equal(Payload.authorizedSignerOf(Payload.parse(openHash) as Payload.OpenHash), zeroAddress)
  })

  test('a credential type the challenge does not list is refused (400)', () => {
    assert.throws(
      () => ok(openAuthorization, { request: hashOnly }),
      (error: unknown) =>
        error instanceof Problem.MalformedSessionPayloadError &&
        /"authorization" is not accepted by this challenge \(credentialTypes: hash\)/.test(error.detail),
    )
    assert.throws(
      () =>
        ok(
          {
            ...voucher,
            deposit: { action: 'topUp', type: 'authorization', salt, authorization: authorization(topUpNonce(7n), '7'), signature },
          },
          { request: hashOnly },
        ),
      /deposit.type/,
    )
    const authorizationOnly = { ...request, methodDetails: { ...request.methodDetails, credentialTypes: ['authorization' as const] } }
    assert.throws(() => ok(openHash, { request: authorizationOnly }), /"hash" is not accepted/)
  })
})

test('voucherOf: the voucher an open, a voucher or a close carries', () => {
  assert.deepEqual(Payload.voucherOf(Payload.parse(openAuthorization)), { channelId, cumulativeAmount: 0n, signature })
  assert.deepEqual(Payload.voucherOf(Payload.parse(close)), { channelId, cumulativeAmount: 500_000n, signature })
  assert.equal(Payload.voucherOf(Payload.parse(topUpHash)), undefined)
})
