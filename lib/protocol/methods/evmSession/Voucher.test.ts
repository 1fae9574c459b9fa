import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type Hex, concat, encodeAbiParameters, keccak256, stringToHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import * as Problem from '@/lib/protocol/Problem'
import * as Voucher from './Voucher'

// anvil's second default account: a well-known test key, never a real one.
const payer = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
const other = privateKeyToAccount(generatePrivateKey())
const escrow = '0x1234567890AbcdEF1234567890aBcdef12345678'
const domain = { chainId: 196, escrow } as const
const channelId: Hex = `0x${'6d'.repeat(32)}`

const sign = (amount: bigint, signer = payer, voucherDomain: Voucher.Domain = domain) =>
  signer.signTypedData(Voucher.typedData(voucherDomain, { channelId, cumulativeAmount: amount }))

function highS(signature: Hex): Hex {
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
  const s = BigInt(`0x${signature.slice(66, 130)}`)
  const v = Number.parseInt(signature.slice(130), 16)
  return `0x${signature.slice(2, 66)}${(n - s).toString(16).padStart(64, '0')}${(55 - v).toString(16)}`
}

describe('typed data and digest', () => {
  test('domain {name:"EVM Payment Channel", version:"1", chainId, verifyingContract} and Voucher(bytes32,uint128)', () => {
    const typed = Voucher.typedData(domain, { channelId, cumulativeAmount: 250_000n })
    assert.deepEqual(typed.domain, { name: 'EVM Payment Channel', version: '1', chainId: 196, verifyingContract: escrow })
    assert.deepEqual(typed.types, {
      Voucher: [
        { name: 'channelId', type: 'bytes32' },
        { name: 'cumulativeAmount', type: 'uint128' },
      ],
    })
    assert.equal(typed.primaryType, 'Voucher')
  })

  test('the digest follows the spec signing procedure step by step', () => {
    const domainSeparator = keccak256(
      encodeAbiParameters(
        [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }, { type: 'address' }],
        [
          keccak256(stringToHex('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)')),
          keccak256(stringToHex('EVM Payment Channel')),
          keccak256(stringToHex('1')),
          196n,
          escrow,
        ],
      ),
    )
    const structHash = keccak256(
      encodeAbiParameters(
        [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint128' }],
        [keccak256(stringToHex('Voucher(bytes32 channelId,uint128 cumulativeAmount)')), channelId, 250_000n],
      ),
    )
    assert.equal(
      Voucher.hash(domain, { channelId, cumulativeAmount: 250_000n }),
      keccak256(concat(['0x1901', domainSeparator, structHash])),
    )
  })
})

describe('signature format', () => {
  test('accepts what viem signs: 65 bytes, v 27/28, low s', async () => {
    const signature = await sign(1n)
    assert.equal(signature.length, 132)
    assert.equal(Voucher.ecdsaSignatureProblem(signature), undefined)
    assert.equal(Voucher.hasHighS(signature), false)
  })

  test('names what is wrong with anything else', async () => {
    const good = await sign(1n)
    assert.match(Voucher.ecdsaSignatureProblem(good.slice(0, 130) as Hex)!, /65 bytes/)
    assert.match(Voucher.ecdsaSignatureProblem(`${good}00`)!, /65 bytes/)
    assert.match(Voucher.ecdsaSignatureProblem(`${good.slice(0, 130)}01` as Hex)!, /v = 27 or 28/)
    assert.match(Voucher.ecdsaSignatureProblem(highS(good))!, /high s/)
    assert.equal(Voucher.hasHighS(highS(good)), true)
    assert.match(Voucher.ecdsaSignatureProblem(`0x${'00'.repeat(64)}1b`)!, /zero r or s/)
  })

  test('recoverSigner returns the signer and throws InvalidSignatureError for the high-s twin', async () => {
    const good = await sign(7n)
    assert.equal(await Voucher.recoverSigner(domain, { channelId, cumulativeAmount: 7n, signature: good }), payer.address)
    await assert.rejects(
      Voucher.recoverSigner(domain, { channelId, cumulativeAmount: 7n, signature: highS(good) }),
      Problem.InvalidSignatureError,
    )
  })
})

describe('verify: the spec steps, in order', () => {
  const channel: Voucher.ChannelState = { channelId, payer: payer.address, deposit: 1_000n, closeRequestedAt: 0n, finalized: false }
  const run = async (
    amount: bigint,
    overrides: Partial<Voucher.VerifyParameters> & { signature?: Hex; state?: Partial<Voucher.ChannelState> | null } = {},
  ) =>
    Voucher.verify({
      domain,
      channel: overrides.state === null ? undefined : { ...channel, ...overrides.state },
      voucher: { channelId, cumulativeAmount: amount, signature: overrides.signature ?? (await sign(amount)) },
      acceptedCumulative: overrides.acceptedCumulative ?? 100n,
      minVoucherDelta: overrides.minVoucherDelta,
      isValidContractSignature: overrides.isValidContractSignature,
    })
  const rejects = async (promise: Promise<unknown>, Class: new (...args: never[]) => Problem.PaymentProblem, status: number) =>
    assert.rejects(promise, (error: unknown) => {
      assert.ok(error instanceof Class, `expected ${Class.name}, got ${String(error)}`)
      assert.equal((error as Problem.PaymentProblem).status, status)
      assert.deepEqual((error as Problem.PaymentProblem).extensions, { channelId })
      return true
    })

  test('accepts a higher voucher within the deposit and reports the increase', async () => {
    assert.deepEqual(await run(250n), { status: 'accepted', cumulativeAmount: 250n, delta: 150n })
    assert.deepEqual(await run(1_000n), { status: 'accepted', cumulativeAmount: 1_000n, delta: 900n })
  })

  // The spec has no problem type for a pending forced close: we answer channel-finalized (410), as mppx does.
  test('unknown channel 410, finalized 410, pending forced close 410 (step 1)', async () => {
    await rejects(run(250n, { state: null }), Problem.ChannelNotFoundError, 410)
    await rejects(run(250n, { state: { channelId: `0x${'00'.repeat(32)}` } }), Problem.ChannelNotFoundError, 410)
    await rejects(run(250n, { state: { finalized: true } }), Problem.ChannelFinalizedError, 410)
    await rejects(run(250n, { state: { closeRequestedAt: 1_700_000_000n } }), Problem.ChannelFinalizedError, 410)
  })

  test('signature and signer are checked before the replay short-circuit (steps 3-5 before 6)', async () => {
    // A stale amount must not earn a 200 for someone who only knows the channelId.
    await rejects(run(50n, { signature: await sign(50n, other) }), Problem.SignerMismatchError, 402)
    await rejects(run(50n, { signature: highS(await sign(50n)) }), Problem.InvalidSignatureError, 402)
    await rejects(run(50n, { signature: '0x1234' }), Problem.InvalidSignatureError, 402)
    await rejects(run(250n, { signature: await sign(251n) }), Problem.SignerMismatchError, 402)
  })

  test('a voucher for another escrow or chain recovers someone else: signer mismatch', async () => {
    await rejects(run(250n, { signature: await sign(250n, payer, { ...domain, escrow: other.address }) }), Problem.SignerMismatchError, 402)
    await rejects(run(250n, { signature: await sign(250n, payer, { ...domain, chainId: 8453 }) }), Problem.SignerMismatchError, 402)
  })

  test('at or below the accepted amount: replay, no change (step 6)', async () => {
    assert.deepEqual(await run(100n), { status: 'replay', acceptedCumulative: 100n })
    assert.deepEqual(await run(99n), { status: 'replay', acceptedCumulative: 100n })
    // Replays pass even above the deposit or below minVoucherDelta: nothing new is accepted.
    assert.deepEqual(await run(100n, { minVoucherDelta: 500n, state: { deposit: 50n } }), { status: 'replay', acceptedCumulative: 100n })
  })

  test('minVoucherDelta (step 7) before the deposit cap (step 8)', async () => {
    await rejects(run(109n, { minVoucherDelta: 10n }), Problem.DeltaTooSmallError, 402)
    assert.equal((await run(110n, { minVoucherDelta: 10n })).status, 'accepted')
    await rejects(run(1_001n), Problem.AmountExceedsDepositError, 402)
    await rejects(run(1_005n, { minVoucherDelta: 2_000n }), Problem.DeltaTooSmallError, 402)
  })

  test('the authorized signer, not the payer, signs delegated channels', async () => {
    const delegated = { state: { authorizedSigner: other.address } }
    await rejects(run(250n, delegated), Problem.SignerMismatchError, 402)
    assert.equal((await run(250n, { ...delegated, signature: await sign(250n, other) })).status, 'accepted')
  })

  test('contract-wallet signers go through the ERC-1271 check the caller supplies', async () => {
    const contract = { state: { signerIsContract: true } }
    await rejects(run(250n, contract), Problem.InvalidSignatureError, 402)
    const asked: Array<{ signer: string; digest: Hex }> = []
    const wallet: Voucher.ContractSignatureCheck = async ({ signer, digest }) => {
      asked.push({ signer, digest })
      return true
    }
    assert.equal((await run(250n, { ...contract, isValidContractSignature: wallet })).status, 'accepted')
    assert.deepEqual(asked, [{ signer: payer.address, digest: Voucher.hash(domain, { channelId, cumulativeAmount: 250n }) }])
    await rejects(run(250n, { ...contract, isValidContractSignature: async () => false }), Problem.InvalidSignatureError, 402)
    // High-s is refused before the wallet is asked, as the escrow does.
    await rejects(
      run(250n, { ...contract, signature: highS(await sign(250n)), isValidContractSignature: wallet }),
      Problem.InvalidSignatureError,
      402,
    )
    assert.equal(asked.length, 1)
  })

  test('a cumulativeAmount above uint128 is refused (400)', async () => {
    await rejects(run(2n ** 128n, { signature: await sign(1n) }), Problem.MalformedSessionPayloadError, 400)
  })
})
