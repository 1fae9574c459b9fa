// The reference clients' credentials settle on this rail: mppx's evm/charge client and
// @x402/evm's exact scheme client sign exactly what the rail expects.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ExactEvmScheme } from '@x402/evm/exact/client'
import { Credential as MppxCredential } from 'mppx'
import { charge } from 'mppx/evm/client'
import * as PaymentSignature from '@/lib/protocol/x402/PaymentSignature'
import { type EvmFixture, freshRecipient, mppChallenge, price, setupEvm } from './evm-fixtures'

describe('EVM rail: reference clients', () => {
  let fixture: EvmFixture
  before(async () => {
    fixture = await setupEvm()
  })
  after(async () => {
    await fixture?.close()
  })

  test('mppx evm charge client: its authorization credential settles', async () => {
    const payer = fixture.payers[0]!
    const recipient = freshRecipient()
    const challenge = mppChallenge(fixture.rail, { recipient })
    const method = charge({ account: payer, authorization: { name: 'USD Coin', version: '2' } })
    const header = await method.createCredential({
      challenge: { ...challenge, method: 'evm', intent: 'charge' } as never,
      context: {},
    } as never)
    const credential = MppxCredential.deserialize(header)
    const settlement = await fixture.rail.settleMppCredential({
      challenge: {
        id: credential.challenge.id,
        realm: credential.challenge.realm,
        expires: credential.challenge.expires,
        request: credential.challenge.request,
      },
      payload: credential.payload,
      source: credential.source,
    })
    assert.equal(settlement.payer, payer.address)
    assert.equal(await fixture.balanceOf(recipient), price)
  })

  test('@x402/evm exact client: its EIP-3009 payload settles', async () => {
    const payer = fixture.payers[1]!
    const recipient = freshRecipient()
    const requirements = fixture.rail.x402Requirements({ amount: price, recipient, maxTimeoutSeconds: 60 })
    const scheme = new ExactEvmScheme(payer)
    const created = await scheme.createPaymentPayload(2, requirements)
    // What the gate does with the PAYMENT-SIGNATURE header: decode, then settle.
    const payload = PaymentSignature.decode(
      PaymentSignature.encode({ x402Version: 2, accepted: requirements, payload: created.payload as never }),
    )
    const settlement = await fixture.rail.settleX402({ requirements, payload })
    assert.equal(settlement.payer, payer.address)
    assert.equal(await fixture.balanceOf(recipient), price)
  })
})
