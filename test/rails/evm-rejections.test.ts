// Every way a payment can be wrong is rejected with the right problem type, and nothing moves.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { type Address, type Hex, toHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import * as Evm from '@/lib/protocol/methods/evm'
import {
  InvalidChallengeError,
  MalformedCredentialError,
  PaymentExpiredError,
  PaymentInsufficientError,
  type PaymentProblem,
  VerificationFailedError,
} from '@/lib/protocol/Problem'
import * as EvmRail from '@/lib/rails/evm'
import type * as PaymentRequirements from '@/lib/protocol/x402/PaymentRequirements'
import { anvilPrivateKey } from '@/scripts/chain/deploy'
import { freePort } from '@/test/support/ports'
import {
  type EvmFixture,
  authorizationPayload,
  freshRecipient,
  mppChallenge,
  nowSeconds,
  price,
  recordCount,
  setupEvm,
  signAuthorization,
  signedTransfer,
} from './evm-fixtures'

type ProblemClass = new (detail: string) => PaymentProblem

describe('EVM rail: rejected payments move nothing', () => {
  let fixture: EvmFixture
  let otherToken: Address
  before(async () => {
    fixture = await setupEvm()
    // A second TestUSDC: same name and version, different contract.
    const { deployTestUsdc } = await import('@/scripts/chain/deploy')
    otherToken = (await deployTestUsdc({ rpcUrl: fixture.chain.rpcUrl, chainId: fixture.chain.chainId })).token
  })
  after(async () => {
    await fixture?.close()
  })

  /** Runs `attempt`, expects `kind` with a detail matching `detail`, and proves no money and no record moved. */
  async function rejects(
    attempt: () => Promise<unknown>,
    kind: ProblemClass,
    detail: RegExp,
    watch: { payer: Address; recipient: Address },
  ) {
    const payerBefore = await fixture.balanceOf(watch.payer)
    const recipientBefore = await fixture.balanceOf(watch.recipient)
    const recordsBefore = await recordCount(fixture)
    await assert.rejects(attempt, (error: unknown) => {
      if (process.env.SHOW_DETAILS) console.log(`${(error as Error).name}: ${(error as PaymentProblem).detail}`)
      assert.ok(error instanceof kind, `expected ${kind.name}, got ${(error as Error)?.name}: ${(error as Error)?.message}`)
      assert.match((error as PaymentProblem).detail, detail)
      return true
    })
    assert.equal(await fixture.balanceOf(watch.payer), payerBefore, 'payer balance unchanged')
    assert.equal(await fixture.balanceOf(watch.recipient), recipientBefore, 'recipient balance unchanged')
    assert.equal(await recordCount(fixture), recordsBefore, 'no settlement recorded')
  }

  describe('authorization credentials', () => {
    const settle = (challenge: ReturnType<typeof mppChallenge>, payload: unknown, source?: string) => () =>
      fixture.rail.settleMppCredential({ challenge, payload, source })

    test('wrong recipient', async () => {
      const payer = fixture.payers[0]!
      const challenge = mppChallenge(fixture.rail, { recipient: freshRecipient() })
      const elsewhere = freshRecipient()
      const payload = await authorizationPayload(fixture, payer, challenge, { to: elsewhere })
      await rejects(settle(challenge, payload), VerificationFailedError, /pays 0x[0-9a-fA-F]{40}, but this payment is due to/, {
        payer: payer.address,
        recipient: elsewhere,
      })
    })

    test('amount lower than the price', async () => {
      const payer = fixture.payers[0]!
      const challenge = mppChallenge(fixture.rail, { recipient: freshRecipient() })
      const payload = await authorizationPayload(fixture, payer, challenge, { value: price - 1n })
      await rejects(settle(challenge, payload), PaymentInsufficientError, /249999 base units; the price is 250000/, {
        payer: payer.address,
        recipient: challenge.request.recipient,
      })
    })

    test('amount higher than the price', async () => {
      const payer = fixture.payers[0]!
      const challenge = mppChallenge(fixture.rail, { recipient: freshRecipient() })
      const payload = await authorizationPayload(fixture, payer, challenge, { value: price + 1n })
      await rejects(settle(challenge, payload), VerificationFailedError, /more than the price/, {
        payer: payer.address,
        recipient: challenge.request.recipient,
      })
    })

    test('signed for another token', async () => {
      const payer = fixture.payers[0]!
      const challenge = mppChallenge(fixture.rail, { recipient: freshRecipient() })
      const payload = await authorizationPayload(fixture, payer, challenge, { domain: { verifyingContract: otherToken } })
      await rejects(
        settle(challenge, payload),
        VerificationFailedError,
        /signature recovers to 0x[0-9a-fA-F]{40}, not to the payer .*wrong signer, token, chain or terms/,
        { payer: payer.address, recipient: challenge.request.recipient },
      )
    })

    test('signed for another chain', async () => {
      const payer = fixture.payers[0]!
      const challenge = mppChallenge(fixture.rail, { recipient: freshRecipient() })
      const payload = await authorizationPayload(fixture, payer, challenge, { domain: { chainId: 8453 } })
      await rejects(
        settle(challenge, payload),
        VerificationFailedError,
        /signature recovers to 0x[0-9a-fA-F]{40}, not to the payer .*wrong signer, token, chain or terms/,
        { payer: payer.address, recipient: challenge.request.recipient },
      )
    })

    test('challenge for another chain or token', async () => {
      const payer = fixture.payers[0]!
      const challenge = mppChallenge(fixture.rail, { recipient: freshRecipient() })
      const payload = await authorizationPayload(fixture, payer, challenge)
      const onBase = {
        ...challenge,
        request: { ...challenge.request, methodDetails: { ...challenge.request.methodDetails, chainId: 8453 } },
      }
      await rejects(settle(onBase, payload), InvalidChallengeError, /chain 8453; this server settles/, {
        payer: payer.address,
        recipient: challenge.request.recipient,
      })
      const otherCurrency = { ...challenge, request: { ...challenge.request, currency: otherToken } }
      await rejects(settle(otherCurrency, payload), InvalidChallengeError, /this server settles/, {
        payer: payer.address,
        recipient: challenge.request.recipient,
      })
    })

    test('expired authorization window', async () => {
      const payer = fixture.payers[0]!
      const challenge = mppChallenge(fixture.rail, { recipient: freshRecipient() })
      const payload = await authorizationPayload(fixture, payer, challenge, { validBefore: BigInt(nowSeconds() - 1) })
      await rejects(settle(challenge, payload), PaymentExpiredError, /authorization expired at/, {
        payer: payer.address,
        recipient: challenge.request.recipient,
      })
    })

    test('expired challenge', async () => {
      const payer = fixture.payers[0]!
      const challenge = mppChallenge(fixture.rail, { recipient: freshRecipient(), expiresInSeconds: -5 })
      const payload = await authorizationPayload(fixture, payer, challenge, { validBefore: BigInt(nowSeconds() + 60) })
      await rejects(settle(challenge, payload), PaymentExpiredError, /challenge expired at/, {
        payer: payer.address,
        recipient: challenge.request.recipient,
      })
    })

    test('window reaching beyond the challenge expiry', async () => {
      const payer = fixture.payers[0]!
      const challenge = mppChallenge(fixture.rail, { recipient: freshRecipient(), expiresInSeconds: 120 })
      const payload = await authorizationPayload(fixture, payer, challenge, { validBefore: BigInt(nowSeconds() + 3600) })
      await rejects(settle(challenge, payload), VerificationFailedError, /beyond the challenge expiry/, {
        payer: payer.address,
        recipient: challenge.request.recipient,
      })
    })

    test('window that opens in the future', async () => {
      const payer = fixture.payers[0]!
      const challenge = mppChallenge(fixture.rail, { recipient: freshRecipient() })
      const payload = await authorizationPayload(fixture, payer, challenge, { validAfter: BigInt(nowSeconds() + 60) })
      await rejects(settle(challenge, payload), VerificationFailedError, /not valid before/, {
        payer: payer.address,
        recipient: challenge.request.recipient,
      })
    })

    test('garbage signature', async () => {
      const payer = fixture.payers[0]!
      const challenge = mppChallenge(fixture.rail, { recipient: freshRecipient() })
      const payload = await authorizationPayload(fixture, payer, challenge)
      const bad = { ...payload, signature: toHex(randomBytes(65)) }
      await rejects(settle(challenge, bad), VerificationFailedError, /signature/, {
        payer: payer.address,
        recipient: challenge.request.recipient,
      })
      const short = { ...payload, signature: toHex(randomBytes(20)) }
      await rejects(settle(challenge, short), VerificationFailedError, /20 bytes; an EOA signature is 65 bytes/, {
        payer: payer.address,
        recipient: challenge.request.recipient,
      })
    })

    test('terms changed after signing (signature no longer matches)', async () => {
      const payer = fixture.payers[0]!
      const challenge = mppChallenge(fixture.rail, { recipient: freshRecipient() })
      const payload = await authorizationPayload(fixture, payer, challenge)
      const tampered = { ...payload, validBefore: (BigInt(payload.validBefore) - 10n).toString() }
      await rejects(settle(challenge, tampered), VerificationFailedError, /signature/, {
        payer: payer.address,
        recipient: challenge.request.recipient,
      })
    })

    test('signature by someone else than `from`', async () => {
      const victim = fixture.payers[1]!
      const thief = fixture.payers[2]!
      const challenge = mppChallenge(fixture.rail, { recipient: freshRecipient() })
      const payload = await authorizationPayload(fixture, thief, challenge, { from: victim.address })
      await rejects(
        settle(challenge, payload),
        VerificationFailedError,
        new RegExp(`signature recovers to ${thief.address}, not to the payer ${victim.address}`),
        {
          payer: victim.address,
          recipient: challenge.request.recipient,
        },
      )
    })

    test('insufficient balance', async () => {
      const broke = privateKeyToAccount(generatePrivateKey())
      const challenge = mppChallenge(fixture.rail, { recipient: freshRecipient() })
      const payload = await authorizationPayload(fixture, broke, challenge)
      await rejects(settle(challenge, payload), VerificationFailedError, /holds 0 base units/, {
        payer: broke.address,
        recipient: challenge.request.recipient,
      })
    })

    test('nonce not bound to the challenge', async () => {
      const payer = fixture.payers[0]!
      const challenge = mppChallenge(fixture.rail, { recipient: freshRecipient() })
      const payload = await authorizationPayload(fixture, payer, challenge, { nonce: toHex(randomBytes(32)) })
      await rejects(settle(challenge, payload), VerificationFailedError, /nonce must be keccak256/, {
        payer: payer.address,
        recipient: challenge.request.recipient,
      })
    })

    test('reused nonce: the same credential cannot pay twice', async () => {
      const payer = fixture.payers[3]!
      const challenge = mppChallenge(fixture.rail, { recipient: freshRecipient() })
      const payload = await authorizationPayload(fixture, payer, challenge)
      await fixture.rail.settleMppCredential({ challenge, payload })
      assert.equal(await fixture.balanceOf(challenge.request.recipient), price)
      await rejects(settle(challenge, payload), InvalidChallengeError, /already used/, {
        payer: payer.address,
        recipient: challenge.request.recipient,
      })
      assert.equal(await fixture.balanceOf(challenge.request.recipient), price)
    })

    test('source naming someone else', async () => {
      const payer = fixture.payers[0]!
      const challenge = mppChallenge(fixture.rail, { recipient: freshRecipient() })
      const payload = await authorizationPayload(fixture, payer, challenge)
      const source = Evm.payerSource(fixture.chain.chainId, fixture.payers[1]!.address)
      await rejects(settle(challenge, payload, source), VerificationFailedError, /does not name the payer/, {
        payer: payer.address,
        recipient: challenge.request.recipient,
      })
    })

    test('malformed payload, unoffered type, permit2 and splits', async () => {
      const payer = fixture.payers[0]!
      const challenge = mppChallenge(fixture.rail, { recipient: freshRecipient() })
      const watch = { payer: payer.address, recipient: challenge.request.recipient }
      await rejects(settle(challenge, { type: 'authorization', from: payer.address }), MalformedCredentialError, /malformed/, watch)
      const payload = await authorizationPayload(fixture, payer, challenge)
      const hashOnly = {
        ...challenge,
        request: { ...challenge.request, methodDetails: { ...challenge.request.methodDetails, credentialTypes: ['hash' as const] } },
      }
      await rejects(settle(hashOnly, payload), VerificationFailedError, /"authorization" is not accepted here; use one of: hash/, watch)
      const withSplits = {
        ...challenge,
        request: {
          ...challenge.request,
          methodDetails: { ...challenge.request.methodDetails, splits: [{ recipient: freshRecipient(), amount: '1' }] },
        },
      }
      await rejects(settle(withSplits, payload), VerificationFailedError, /splits/, watch)
    })
  })

  describe('hash credentials', () => {
    const settleHash =
      (recipient: Address, hash: Hex, amount = price) =>
      () =>
        fixture.rail.settleMppCredential({ challenge: mppChallenge(fixture.rail, { recipient, amount }), payload: { type: 'hash', hash } })

    test('reused transaction hash', async () => {
      const payer = fixture.payers[4]!
      const recipient = freshRecipient()
      const hash = await fixture.transfer(payer, recipient, price)
      await settleHash(recipient, hash)()
      await rejects(settleHash(recipient, hash), InvalidChallengeError, /already settled/, { payer: payer.address, recipient })
    })

    test('a transfer that went elsewhere', async () => {
      const payer = fixture.payers[4]!
      const recipient = freshRecipient()
      const hash = await fixture.transfer(payer, freshRecipient(), price)
      await rejects(settleHash(recipient, hash), VerificationFailedError, /not to the recipient/, { payer: payer.address, recipient })
    })

    test('a transfer of another token', async () => {
      const deployer = (await import('@/scripts/chain/deploy')).anvilAccount(1)
      const recipient = freshRecipient()
      const hash = await fixture.transfer(deployer, recipient, price, otherToken)
      await rejects(settleHash(recipient, hash), VerificationFailedError, new RegExp(`transfers token ${otherToken}`), {
        payer: deployer.address,
        recipient,
      })
    })

    test('too little or too much', async () => {
      const payer = fixture.payers[4]!
      const recipient = freshRecipient()
      const hash = await fixture.transfer(payer, recipient, price - 1n)
      await rejects(settleHash(recipient, hash), PaymentInsufficientError, /the price is 250000/, { payer: payer.address, recipient })
      await rejects(settleHash(recipient, hash, price - 2n), VerificationFailedError, /not exactly the price/, {
        payer: payer.address,
        recipient,
      })
    })

    test('unknown hash', async () => {
      const recipient = freshRecipient()
      await rejects(settleHash(recipient, toHex(randomBytes(32))), VerificationFailedError, /is not known on chain/, {
        payer: fixture.payers[4]!.address,
        recipient,
      })
    })
  })

  describe('transaction credentials', () => {
    const settleTransaction = (recipient: Address, signature: Hex) => () =>
      fixture.rail.settleMppCredential({
        challenge: mppChallenge(fixture.rail, { recipient }),
        payload: { type: 'transaction', signature },
      })

    async function notBroadcast(payer: Address, check: () => Promise<void>) {
      const nonce = await fixture.publicClient.getTransactionCount({ address: payer, blockTag: 'pending' })
      await check()
      assert.equal(await fixture.publicClient.getTransactionCount({ address: payer, blockTag: 'pending' }), nonce, 'nothing was broadcast')
    }

    test('wrong recipient, amounts, token and chain', async () => {
      const payer = fixture.payers[5]!
      const recipient = freshRecipient()
      const watch = { payer: payer.address, recipient }
      await notBroadcast(payer.address, async () => {
        await rejects(
          settleTransaction(recipient, await signedTransfer(fixture, payer, { to: freshRecipient(), value: price })),
          VerificationFailedError,
          /but this payment is due to/,
          watch,
        )
        await rejects(
          settleTransaction(recipient, await signedTransfer(fixture, payer, { to: recipient, value: price - 1n })),
          PaymentInsufficientError,
          /the price is/,
          watch,
        )
        await rejects(
          settleTransaction(recipient, await signedTransfer(fixture, payer, { to: recipient, value: price + 1n })),
          VerificationFailedError,
          /more than the price/,
          watch,
        )
        await rejects(
          settleTransaction(recipient, await signedTransfer(fixture, payer, { to: recipient, value: price, token: otherToken })),
          VerificationFailedError,
          /not the token/,
          watch,
        )
        await rejects(
          settleTransaction(recipient, await signedTransfer(fixture, payer, { to: recipient, value: price, chainId: 8453 })),
          VerificationFailedError,
          /for chain 8453/,
          watch,
        )
      })
    })

    test('insufficient balance and nonce gaps are caught before broadcast', async () => {
      const broke = privateKeyToAccount(generatePrivateKey())
      const recipient = freshRecipient()
      await rejects(
        settleTransaction(recipient, await signedTransfer(fixture, broke, { to: recipient, value: price })),
        VerificationFailedError,
        /holds 0 base units/,
        { payer: broke.address, recipient },
      )
      const payer = fixture.payers[5]!
      await notBroadcast(payer.address, async () => {
        const gapped = await signedTransfer(fixture, payer, { to: recipient, value: price, nonceOffset: 5 })
        await rejects(settleTransaction(recipient, gapped), VerificationFailedError, /ahead of/, { payer: payer.address, recipient })
      })
    })

    test('not a transaction', async () => {
      const recipient = freshRecipient()
      await rejects(settleTransaction(recipient, '0x02deadbeef'), MalformedCredentialError, /not a serialized signed transaction/, {
        payer: fixture.payers[5]!.address,
        recipient,
      })
    })

    test('the same signed transaction cannot pay twice', async () => {
      const payer = fixture.payers[6]!
      const recipient = freshRecipient()
      const signature = await signedTransfer(fixture, payer, { to: recipient, value: price })
      await settleTransaction(recipient, signature)()
      await rejects(settleTransaction(recipient, signature), InvalidChallengeError, /already settled/, { payer: payer.address, recipient })
      assert.equal(await fixture.balanceOf(recipient), price)
    })
  })

  describe('x402 exact payloads', () => {
    async function x402(
      payer = fixture.payers[7]!,
      overrides: { to?: Address; value?: bigint; validBefore?: bigint; accepted?: Partial<PaymentRequirements.ExactEvm> } = {},
    ) {
      const recipient = freshRecipient()
      const requirements = fixture.rail.x402Requirements({ amount: price, recipient, maxTimeoutSeconds: 60 })
      const { authorization, signature } = await signAuthorization(payer, fixture.domain, {
        to: overrides.to ?? recipient,
        value: overrides.value ?? price,
        validBefore: overrides.validBefore ?? BigInt(nowSeconds() + 60),
        nonce: toHex(randomBytes(32)),
      })
      const payload = {
        x402Version: 2 as const,
        accepted: { ...requirements, ...overrides.accepted },
        payload: { signature, authorization },
      }
      return { recipient, requirements, payload, settle: () => fixture.rail.settleX402({ requirements, payload }) }
    }

    test('wrong recipient, amount, window', async () => {
      const payer = fixture.payers[7]!
      let c = await x402(payer, { to: freshRecipient() })
      await rejects(c.settle, VerificationFailedError, /but this payment is due to/, { payer: payer.address, recipient: c.recipient })
      c = await x402(payer, { value: price - 1n })
      await rejects(c.settle, PaymentInsufficientError, /the price is/, { payer: payer.address, recipient: c.recipient })
      c = await x402(payer, { validBefore: BigInt(nowSeconds() - 1) })
      await rejects(c.settle, PaymentExpiredError, /expired/, { payer: payer.address, recipient: c.recipient })
      c = await x402(payer, { validBefore: BigInt(nowSeconds() + 3600) })
      await rejects(c.settle, VerificationFailedError, /beyond maxTimeoutSeconds \(60 s\)/, {
        payer: payer.address,
        recipient: c.recipient,
      })
    })

    test('accepted terms that differ from the offer (network, asset)', async () => {
      const payer = fixture.payers[7]!
      let c = await x402(payer, { accepted: { network: 'eip155:8453' } })
      await rejects(c.settle, VerificationFailedError, /network eip155:8453 instead of/, { payer: payer.address, recipient: c.recipient })
      c = await x402(payer, { accepted: { asset: otherToken } })
      await rejects(c.settle, VerificationFailedError, /asset .* instead of/, { payer: payer.address, recipient: c.recipient })
    })

    test('reused authorization', async () => {
      const payer = fixture.payers[7]!
      const c = await x402(payer)
      await c.settle()
      await rejects(c.settle, InvalidChallengeError, /already used/, { payer: payer.address, recipient: c.recipient })
      assert.equal(await fixture.balanceOf(c.recipient), price)
    })
  })

  test('an unreachable RPC endpoint is a RailUnavailableError (503), not a payment problem', async () => {
    const port = await freePort()
    const config = EvmRail.createEvmConfig({
      rpcUrl: `http://127.0.0.1:${port}`,
      chainId: fixture.chain.chainId,
      tokenAddress: fixture.chain.token,
      settlerPrivateKey: anvilPrivateKey(0),
      pollingIntervalMs: 50,
    })
    const offline = EvmRail.createEvmRail(config, fixture.handle.db)
    const payer = fixture.payers[0]!
    const challenge = mppChallenge(offline, { recipient: freshRecipient() })
    const payload = await authorizationPayload(fixture, payer, challenge)
    const recordsBefore = await recordCount(fixture)
    await assert.rejects(offline.settleMppCredential({ challenge, payload }), (error: unknown) => {
      assert.ok(error instanceof EvmRail.RailUnavailableError, `got ${(error as Error).name}: ${(error as Error).message}`)
      assert.equal(error.status, 503)
      assert.doesNotMatch(error.detail, /127\.0\.0\.1/, 'the RPC URL is not disclosed')
      return true
    })
    assert.equal(await recordCount(fixture), recordsBefore)
  })
})
