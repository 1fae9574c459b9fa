// EVM rail on a real anvil: offers, and the happy path of every credential type moving exactly the price.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { toHex } from 'viem'
import * as Evm from '@/lib/protocol/methods/evm'
import * as Settlements from '@/lib/store/settlements'
import {
  type EvmFixture,
  authorizationPayload,
  freshRecipient,
  mppChallenge,
  nowSeconds,
  price,
  setupEvm,
  signAuthorization,
  signedTransfer,
} from './evm-fixtures'

describe('EVM rail: offers and settlement of each credential type', () => {
  let fixture: EvmFixture
  before(async () => {
    fixture = await setupEvm()
  })
  after(async () => {
    await fixture?.close()
  })

  test('chargeRequest is a valid evm/charge request for the configured token and chain', () => {
    const recipient = freshRecipient()
    const request = fixture.rail.chargeRequest({ amount: '1000000', recipient, description: 'one call', externalId: 'order-1' })
    assert.deepEqual(request, {
      amount: '1000000',
      currency: fixture.chain.token,
      recipient,
      description: 'one call',
      externalId: 'order-1',
      methodDetails: { chainId: fixture.chain.chainId, decimals: 6, credentialTypes: ['authorization', 'hash', 'transaction'] },
    })
    assert.deepEqual(Evm.parseRequest(request), request)
  })

  test('x402Requirements are exact EIP-3009 requirements with the token EIP-712 domain', () => {
    const recipient = freshRecipient()
    assert.deepEqual(fixture.rail.x402Requirements({ amount: 1000n, recipient, maxTimeoutSeconds: 60 }), {
      scheme: 'exact',
      network: `eip155:${fixture.chain.chainId}`,
      amount: '1000',
      asset: fixture.chain.token,
      payTo: recipient,
      maxTimeoutSeconds: 60,
      extra: { assetTransferMethod: 'eip3009', name: 'USD Coin', version: '2' },
    })
  })

  test('authorization: the settler submits it, exactly the price moves, the record is settled', async () => {
    const payer = fixture.payers[0]!
    const recipient = freshRecipient()
    const challenge = mppChallenge(fixture.rail, { recipient, externalId: 'inv-7' })
    const payload = await authorizationPayload(fixture, payer, challenge)
    const payerBefore = await fixture.balanceOf(payer.address)

    const settlement = await fixture.rail.settleMppCredential({
      challenge,
      payload,
      source: Evm.payerSource(fixture.chain.chainId, payer.address),
    })

    assert.equal(await fixture.balanceOf(recipient), price)
    assert.equal(await fixture.balanceOf(payer.address), payerBefore - price)
    assert.equal(settlement.payer, payer.address)
    assert.equal(settlement.amount, price.toString())
    assert.equal(settlement.chainId, fixture.chain.chainId)
    assert.equal(settlement.credentialType, 'authorization')
    assert.equal(settlement.externalId, 'inv-7')
    const receipt = await fixture.publicClient.getTransactionReceipt({ hash: settlement.reference })
    assert.equal(receipt.status, 'success')
    assert.equal(receipt.from.toLowerCase(), fixture.rail.settlerAddress.toLowerCase(), 'the settler paid the gas')
    const record = await Settlements.get(fixture.handle.db, settlement.replayKey)
    assert.equal(record?.status, 'settled')
    assert.equal(record?.txHash, settlement.reference)
    assert.equal(record?.payer, payer.address)
    assert.equal(record?.details.challengeId, challenge.id)
  })

  test('hash: a transfer the payer broadcast is accepted once', async () => {
    const payer = fixture.payers[1]!
    const recipient = freshRecipient()
    const hash = await fixture.transfer(payer, recipient, price)
    const settlement = await fixture.rail.settleMppCredential({
      challenge: mppChallenge(fixture.rail, { recipient }),
      payload: { type: 'hash', hash },
    })
    assert.equal(settlement.reference, hash)
    assert.equal(settlement.payer, payer.address)
    assert.equal(settlement.credentialType, 'hash')
    assert.equal(await fixture.balanceOf(recipient), price)
    assert.equal((await Settlements.get(fixture.handle.db, settlement.replayKey))?.status, 'settled')
  })

  test('transaction: the server broadcasts the signed transfer; exactly the price moves', async () => {
    const payer = fixture.payers[2]!
    const recipient = freshRecipient()
    const payerBefore = await fixture.balanceOf(payer.address)
    const signature = await signedTransfer(fixture, payer, { to: recipient, value: price })
    const settlement = await fixture.rail.settleMppCredential({
      challenge: mppChallenge(fixture.rail, { recipient }),
      payload: { type: 'transaction', signature },
    })
    assert.equal(settlement.credentialType, 'transaction')
    assert.equal(settlement.payer, payer.address)
    assert.equal(await fixture.balanceOf(recipient), price)
    assert.equal(await fixture.balanceOf(payer.address), payerBefore - price)
    const receipt = await fixture.publicClient.getTransactionReceipt({ hash: settlement.reference })
    assert.equal(receipt.from.toLowerCase(), payer.address.toLowerCase(), 'the payer paid the gas')
  })

  test('x402 exact: a random-nonce EIP-3009 authorization is settled; PAYMENT-RESPONSE facts are returned', async () => {
    const payer = fixture.payers[3]!
    const recipient = freshRecipient()
    const requirements = fixture.rail.x402Requirements({ amount: price, recipient, maxTimeoutSeconds: 60 })
    const { authorization, signature } = await signAuthorization(payer, fixture.domain, {
      to: recipient,
      value: price,
      validBefore: BigInt(nowSeconds() + 60),
      nonce: toHex(randomBytes(32)),
    })
    const settlement = await fixture.rail.settleX402({
      requirements,
      payload: { x402Version: 2, accepted: requirements, payload: { signature, authorization } },
    })
    assert.equal(settlement.payer, payer.address)
    assert.equal(settlement.network, `eip155:${fixture.chain.chainId}`)
    assert.equal(settlement.amount, price.toString())
    assert.equal(await fixture.balanceOf(recipient), price)
    assert.equal((await fixture.publicClient.getTransactionReceipt({ hash: settlement.transaction })).status, 'success')
  })

  test('several authorizations settle concurrently from one settler without nonce clashes', async () => {
    const recipient = freshRecipient()
    const payers = fixture.payers.slice(4, 8)
    const settlements = await Promise.all(
      payers.map(async (payer) => {
        const challenge = mppChallenge(fixture.rail, { recipient })
        return fixture.rail.settleMppCredential({ challenge, payload: await authorizationPayload(fixture, payer, challenge) })
      }),
    )
    assert.equal(new Set(settlements.map((s) => s.reference)).size, payers.length)
    assert.equal(await fixture.balanceOf(recipient), price * BigInt(payers.length))
  })
})
