import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as Challenge from '@/lib/protocol/Challenge'
import { cardAvailability } from './card-availability'
import { isFresh, readOffers, usdCents } from './offers'

const secret = 'x'.repeat(32)
const evmRequest = {
  amount: '10000',
  currency: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  recipient: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  methodDetails: { chainId: 31337, decimals: 6, credentialTypes: ['authorization', 'hash', 'transaction'] },
}

function header(...challenges: Challenge.Challenge[]): string {
  return challenges.map(Challenge.serialize).join(', ')
}

describe('readOffers', () => {
  test('reads the evm and stripe offers of a 402', () => {
    const expires = new Date(Date.now() + 300_000)
    const evm = Challenge.create({ secret, realm: 'shop.example', method: 'evm', intent: 'charge', request: evmRequest, expires })
    const stripe = Challenge.create({
      secret,
      realm: 'shop.example',
      method: 'stripe',
      intent: 'charge',
      request: { amount: '50', currency: 'usd' },
      expires,
    })
    const offers = readOffers(header(evm, stripe))
    assert.equal(offers.all.length, 2)
    assert.equal(offers.evm?.amount, 10_000n)
    assert.equal(offers.evm?.chainId, 31337)
    assert.equal(offers.evm?.decimals, 6)
    assert.deepEqual(offers.evm?.credentialTypes, ['authorization', 'hash', 'transaction'])
    assert.equal(offers.evm?.expiresAt, Date.parse(expires.toISOString()))
    assert.equal(offers.evm?.challenge.id, evm.id)
    assert.equal(offers.stripe?.amountCents, 50)
  })

  test('skips malformed offers and never throws', () => {
    const bad = Challenge.create({ secret, realm: 'r', method: 'evm', intent: 'charge', request: { ...evmRequest, recipient: 'nobody' } })
    assert.equal(readOffers(header(bad)).evm, null)
    assert.deepEqual(readOffers('Payment id="unterminated').all, [])
    assert.deepEqual(readOffers(null).all, [])
    assert.equal(readOffers('Basic realm="x"').evm, null)
  })
})

describe('freshness and cents', () => {
  test('an offer close to expiry is not fresh', () => {
    assert.equal(isFresh({ expiresAt: 1_000_000 }, 1_000_000 - 60_000), true)
    assert.equal(isFresh({ expiresAt: 1_000_000 }, 1_000_000 - 10_000), false)
    assert.equal(isFresh({ expiresAt: null }), true)
  })

  test('usdCents', () => {
    assert.equal(usdCents({ amount: 10_000n, decimals: 6 }), 1)
    assert.equal(usdCents({ amount: 500_000n, decimals: 6 }), 50)
    assert.equal(usdCents({ amount: 1n, decimals: 6 }), null)
  })
})

describe('cardAvailability', () => {
  const base = { serverStatus: null, stripeConfigured: true, hasStripeOffer: true, priceCents: 50, minimumUsd: '0.50' } as const

  test('a stripe offer on a configured server is a card tab', () => {
    assert.deepEqual(cardAvailability(base), { available: true })
    assert.deepEqual(cardAvailability({ ...base, serverStatus: 'available' }), { available: true })
  })

  test('explains why the tab is absent', () => {
    const notSetUp = cardAvailability({ ...base, stripeConfigured: false, hasStripeOffer: false })
    assert.equal(notSetUp.available, false)
    assert.equal(!notSetUp.available && notSetUp.reason, 'not-configured')
    assert.match(!notSetUp.available ? notSetUp.message : '', /not set up for this link/)
    const cheap = cardAvailability({ ...base, hasStripeOffer: false, priceCents: 1 })
    assert.equal(!cheap.available && cheap.reason, 'below-minimum')
    assert.match(!cheap.available ? cheap.message : '', /below the card minimum \(\$0\.50\)/)
    assert.equal(cardAvailability({ ...base, serverStatus: 'below-minimum' }).available, false)
    assert.equal(cardAvailability({ ...base, serverStatus: 'not-configured', hasStripeOffer: false }).available, false)
  })
})
