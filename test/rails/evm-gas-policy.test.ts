// The settler's gas is the operator's money: the rail never spends it on a payment from the recipient
// to itself, nor on a server-submitted settlement (EIP-3009 authorization, x402 exact) priced below the
// minimum; it offers only payer-broadcast `hash` credentials there. Each refusal is checked on anvil
// against the settler's native balance and nonce: nothing was submitted.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { type Address, toHex } from 'viem'
import { VerificationFailedError } from '@/lib/protocol/Problem'
import * as EvmRail from '@/lib/rails/evm'
import {
  type EvmFixture,
  authorizationPayload,
  freshRecipient,
  mppChallenge,
  nowSeconds,
  recordCount,
  setupEvm,
  signAuthorization,
  signedTransfer,
} from './evm-fixtures'

/** $0.000001 in USDC base units: the price. */
const dust = 1n
/** $0.0005: below the default minimum of $0.001. */
const belowMinimum = 500n
const atMinimum = 1_000n

describe('EVM rail: the settler pays no gas for self-payments or for prices below the minimum', () => {
  let fixture: EvmFixture
  before(async () => {
    fixture = await setupEvm()
  })
  after(async () => {
    await fixture?.close()
  })

  const settler = () => fixture.rail.settlerAddress

  /** The settler's gas money and nonce, and the settlement records: what a refusal must leave as they were. */
  async function settlerState() {
    return {
      wei: await fixture.publicClient.getBalance({ address: settler() }),
      nonce: await fixture.publicClient.getTransactionCount({ address: settler(), blockTag: 'pending' }),
      records: await recordCount(fixture),
    }
  }

  async function refusedWithoutGas(attempt: () => Promise<unknown>, detail: RegExp) {
    const before = await settlerState()
    await assert.rejects(attempt, (error: unknown) => {
      assert.ok(error instanceof VerificationFailedError, `expected VerificationFailedError, got ${String(error)}`)
      assert.match(error.detail, detail)
      return true
    })
    assert.deepEqual(await settlerState(), before, 'the settler submitted nothing and spent no gas; nothing was recorded')
  }

  test('the default minimum is $0.001; a price below it is offered with hash credentials only', () => {
    assert.equal(fixture.config.minSettlementUsd, '0.001')
    assert.equal(EvmRail.minServerSettlementAmount(fixture.config), atMinimum)
    assert.deepEqual(fixture.rail.chargeRequest({ amount: belowMinimum, recipient: freshRecipient() }).methodDetails.credentialTypes, [
      'hash',
    ])
    assert.deepEqual(fixture.rail.chargeRequest({ amount: dust, recipient: freshRecipient() }).methodDetails.credentialTypes, ['hash'])
    assert.deepEqual(fixture.rail.chargeRequest({ amount: atMinimum, recipient: freshRecipient() }).methodDetails.credentialTypes, [
      'authorization',
      'hash',
      'transaction',
    ])
    assert.equal(fixture.rail.serverSubmits(belowMinimum), false)
    assert.equal(fixture.rail.serverSubmits(atMinimum), true)
  })

  test('the issue: an authorization of $0.000001 from the recipient to itself is refused before any chain write', async () => {
    const payer = fixture.payers[0]!
    const challenge = mppChallenge(fixture.rail, { recipient: payer.address, amount: dust })
    const payload = await authorizationPayload(fixture, payer, challenge)
    const tokensBefore = await fixture.balanceOf(payer.address)
    await refusedWithoutGas(() => fixture.rail.settleMppCredential({ challenge, payload }), /is also the recipient/)
    assert.equal(await fixture.balanceOf(payer.address), tokensBefore)
  })

  test('a self-payment above the minimum is refused too, for every credential type and x402', async () => {
    const payer = fixture.payers[1]!
    const self = payer.address
    const authorization = mppChallenge(fixture.rail, { recipient: self, amount: 10_000n })
    await refusedWithoutGas(
      async () =>
        fixture.rail.settleMppCredential({ challenge: authorization, payload: await authorizationPayload(fixture, payer, authorization) }),
      /is also the recipient/,
    )

    const signed = await signedTransfer(fixture, payer, { to: self, value: 10_000n })
    await refusedWithoutGas(
      () =>
        fixture.rail.settleMppCredential({
          challenge: mppChallenge(fixture.rail, { recipient: self, amount: 10_000n }),
          payload: { type: 'transaction', signature: signed },
        }),
      /is also the recipient/,
    )
    assert.equal(
      await fixture.publicClient.getTransactionCount({ address: self, blockTag: 'pending' }),
      await fixture.publicClient.getTransactionCount({ address: self, blockTag: 'latest' }),
      'the payer-signed transaction was not broadcast',
    )

    // The payer broadcast (and paid for) a transfer to itself: it does not count as a payment.
    const hash = await fixture.transfer(payer, self, 10_000n)
    await refusedWithoutGas(
      () =>
        fixture.rail.settleMppCredential({
          challenge: mppChallenge(fixture.rail, { recipient: self, amount: 10_000n }),
          payload: { type: 'hash', hash },
        }),
      /is also the recipient/,
    )

    const requirements = fixture.rail.x402Requirements({ amount: 10_000n, recipient: self, maxTimeoutSeconds: 60 })
    const x402 = await signAuthorization(payer, fixture.domain, {
      to: self,
      value: 10_000n,
      validBefore: BigInt(nowSeconds() + 60),
      nonce: toHex(randomBytes(32)),
    })
    await refusedWithoutGas(
      () => fixture.rail.settleX402({ requirements, payload: { x402Version: 2, accepted: requirements, payload: x402 } }),
      /is also the recipient/,
    )
  })

  test('below the minimum, a server-submitted credential is refused with the reason; the payer-broadcast hash pays', async () => {
    const payer = fixture.payers[2]!
    const recipient = freshRecipient()
    // A challenge crafted to offer authorization below the minimum (ours never does): refused all the same.
    const challenge = mppChallenge(fixture.rail, { recipient, amount: belowMinimum })
    challenge.request = {
      ...challenge.request,
      methodDetails: { ...challenge.request.methodDetails, credentialTypes: ['authorization', 'hash'] },
    }
    await refusedWithoutGas(
      async () => fixture.rail.settleMppCredential({ challenge, payload: await authorizationPayload(fixture, payer, challenge) }),
      /below \$0\.001, the smallest payment this server submits on chain and pays the gas for; pay with a "hash" credential/,
    )

    const requirements = fixture.rail.x402Requirements({ amount: belowMinimum, recipient, maxTimeoutSeconds: 60 })
    const x402 = await signAuthorization(payer, fixture.domain, {
      to: recipient,
      value: belowMinimum,
      validBefore: BigInt(nowSeconds() + 60),
      nonce: toHex(randomBytes(32)),
    })
    await refusedWithoutGas(
      () => fixture.rail.settleX402({ requirements, payload: { x402Version: 2, accepted: requirements, payload: x402 } }),
      /below \$0\.001.*x402 exact is not offered at this price/,
    )

    const before = await settlerState()
    const hash = await fixture.transfer(payer, recipient, belowMinimum)
    const paid = await fixture.rail.settleMppCredential({
      challenge: mppChallenge(fixture.rail, { recipient, amount: belowMinimum }),
      payload: { type: 'hash', hash },
    })
    assert.equal(paid.reference, hash)
    assert.equal(await fixture.balanceOf(recipient), belowMinimum)
    const after = await settlerState()
    assert.deepEqual([after.wei, after.nonce], [before.wei, before.nonce], 'the payer paid the gas, not the settler')
  })

  test('beforeSubmit runs after every check and can refuse: then nothing is claimed or submitted', async () => {
    const payer = fixture.payers[3]!
    const recipient: Address = freshRecipient()
    const challenge = mppChallenge(fixture.rail, { recipient })
    const payload = await authorizationPayload(fixture, payer, challenge)
    let asked = 0
    const before = await settlerState()
    await assert.rejects(
      fixture.rail.settleMppCredential({
        challenge,
        payload,
        beforeSubmit: async () => {
          asked++
          throw new Error('over the cap')
        },
      }),
      /over the cap/,
    )
    assert.equal(asked, 1)
    assert.deepEqual(await settlerState(), before)
    // The same credential pays once the check lets it through.
    const paid = await fixture.rail.settleMppCredential({ challenge, payload, beforeSubmit: async () => void asked++ })
    assert.equal(asked, 2)
    assert.equal(paid.payer, payer.address)
    assert.equal(await fixture.balanceOf(recipient), BigInt(challenge.request.amount))
  })

  test('EVM_MIN_SETTLEMENT_USD moves the minimum; 0 turns it off', () => {
    const settings = { rpcUrl: fixture.chain.rpcUrl, chainId: fixture.chain.chainId, tokenAddress: fixture.chain.token }
    const env = { EVM_RPC_URL: settings.rpcUrl, EVM_CHAIN_ID: String(settings.chainId), EVM_TOKEN_ADDRESS: settings.tokenAddress }
    const key = { SETTLER_PRIVATE_KEY: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcc8c5ebc0d9a0bd5f' }
    assert.equal(EvmRail.minServerSettlementAmount(EvmRail.loadEvmConfig({ ...env, ...key, EVM_MIN_SETTLEMENT_USD: '0.05' })), 50_000n)
    assert.equal(EvmRail.minServerSettlementAmount(EvmRail.loadEvmConfig({ ...env, ...key, EVM_MIN_SETTLEMENT_USD: '0' })), 0n)
    // A token with fewer decimals than the minimum's: rounded up, never down to a cheaper settlement.
    assert.equal(EvmRail.minServerSettlementAmount({ minSettlementUsd: '0.001', tokenDecimals: 2 }), 1n)
    assert.equal(EvmRail.minServerSettlementAmount({ minSettlementUsd: '0.011', tokenDecimals: 2 }), 2n)
    assert.throws(
      () => EvmRail.loadEvmConfig({ ...env, ...key, EVM_MIN_SETTLEMENT_USD: '-1' }),
      /EVM_MIN_SETTLEMENT_USD must be a decimal amount/,
    )
    assert.equal(EvmRail.loadMinSettlementUsd({ ...env, EVM_MIN_SETTLEMENT_USD: '0.0100' }), '0.01')
    assert.equal(EvmRail.loadMinSettlementUsd({}), null, 'no EVM rail, no minimum')
  })
})
