import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as AcceptPayment from './AcceptPayment'

const offer = (key: string) => {
  const [method, intent] = key.split('/') as [string, string]
  return { method, intent }
}
const keys = (offers: AcceptPayment.Offer[]) => offers.map((o) => `${o.method}/${o.intent}`)
const select = (serverOrder: string[], header: string | null) => keys(AcceptPayment.select(serverOrder.map(offer), header))

describe('AcceptPayment.parse', () => {
  test('the three header examples of §Client Payment Preferences', () => {
    assert.deepEqual(AcceptPayment.parse('tempo/charge, tempo/session, stripe/charge;q=0.5, solana/charge;q=0.3'), [
      { method: 'tempo', intent: 'charge', q: 1 },
      { method: 'tempo', intent: 'session', q: 1 },
      { method: 'stripe', intent: 'charge', q: 0.5 },
      { method: 'solana', intent: 'charge', q: 0.3 },
    ])
    assert.deepEqual(AcceptPayment.parse('tempo/*, solana/*;q=0.6, */session;q=0.3'), [
      { method: 'tempo', intent: '*', q: 1 },
      { method: 'solana', intent: '*', q: 0.6 },
      { method: '*', intent: 'session', q: 0.3 },
    ])
    assert.deepEqual(AcceptPayment.parse('tempo/charge, tempo/session;q=0, solana/charge'), [
      { method: 'tempo', intent: 'charge', q: 1 },
      { method: 'tempo', intent: 'session', q: 0 },
      { method: 'solana', intent: 'charge', q: 1 },
    ])
  })

  test('qvalue forms, OWS around ";", Q in uppercase, empty elements, */*', () => {
    assert.deepEqual(AcceptPayment.parse(' evm/charge ; Q=0.125 ,, ,*/*;q=1.000,stripe/charge;q=0.'), [
      { method: 'evm', intent: 'charge', q: 0.125 },
      { method: '*', intent: '*', q: 1 },
      { method: 'stripe', intent: 'charge', q: 0 },
    ])
    assert.deepEqual(AcceptPayment.parse(''), [])
  })

  test('unknown parameters are ignored', () => {
    assert.deepEqual(AcceptPayment.parse('evm/charge;chain=8453;q=0.5;note="a, b"'), [{ method: 'evm', intent: 'charge', q: 0.5 }])
  })

  const malformed = [
    'evm',
    'evm/',
    '/charge',
    'EVM/charge',
    'evm1/charge',
    'evm/char ge',
    'evm/charge;q=1.5',
    'evm/charge;q=0.1234',
    'evm/charge;q=1.001',
    'evm/charge;q=-0',
    'evm/charge;q=.5',
    'evm/charge;q = 0.5',
    'evm/charge;q=0.5;q=0.4',
    'evm/charge;q',
    'evm/charge;x=',
    'evm/charge;x="unterminated',
    'evm/charge evm/session',
    'evm/charge/extra',
    'evm/charge;',
  ]
  for (const value of malformed)
    test(`rejects ${JSON.stringify(value)}`, () => {
      assert.throws(() => AcceptPayment.parse(value), AcceptPayment.MalformedAcceptPaymentError)
    })

  test('serialize round-trips', () => {
    const ranges = AcceptPayment.parse('tempo/*, solana/charge;q=0.6, */*;q=0')
    assert.equal(AcceptPayment.serialize(ranges), 'tempo/*, solana/charge;q=0.6, */*;q=0')
    assert.deepEqual(AcceptPayment.parse(AcceptPayment.serialize(ranges)), ranges)
  })
})

describe('AcceptPayment.select: the spec examples', () => {
  test('ranked by q: tempo challenges, then stripe/charge, then solana/charge', () => {
    assert.deepEqual(
      select(
        ['solana/charge', 'stripe/charge', 'tempo/session', 'tempo/charge'],
        'tempo/charge, tempo/session, stripe/charge;q=0.5, solana/charge;q=0.3',
      ),
      ['tempo/session', 'tempo/charge', 'stripe/charge', 'solana/charge'],
    )
  })

  test('equal q (omitted) keeps the server order', () => {
    assert.deepEqual(select(['solana/charge', 'tempo/charge'], 'tempo/charge, solana/charge'), ['solana/charge', 'tempo/charge'])
    assert.deepEqual(select(['tempo/charge', 'solana/charge'], 'tempo/charge, solana/charge'), ['tempo/charge', 'solana/charge'])
  })

  test('wildcards: any tempo, then any solana, then stripe/charge', () => {
    assert.deepEqual(
      select(['stripe/charge', 'solana/charge', 'tempo/session', 'tempo/charge'], 'tempo/*, solana/*;q=0.6, stripe/charge;q=0.2'),
      ['tempo/session', 'tempo/charge', 'solana/charge', 'stripe/charge'],
    )
  })

  test('q=0 omits tempo/session from the ranked set', () => {
    assert.deepEqual(
      select(
        ['tempo/charge', 'tempo/session', 'solana/charge', 'stripe/charge'],
        'tempo/charge, tempo/session;q=0, solana/charge;q=0.8, stripe/charge;q=0.4',
      ),
      ['tempo/charge', 'solana/charge', 'stripe/charge'],
    )
  })
})

describe('AcceptPayment.select: rules', () => {
  const server = ['evm/charge', 'stripe/charge', 'evm/session']

  test('absent header: every offer in server order', () => {
    assert.deepEqual(select(server, null), server)
  })

  test('offers matching no range are filtered out', () => {
    assert.deepEqual(select(server, 'stripe/charge'), ['stripe/charge'])
    assert.deepEqual(select(server, '*/session'), ['evm/session'])
  })

  test('the most specific matching range decides, even against a higher wildcard q', () => {
    assert.deepEqual(select(server, 'evm/*;q=1, evm/charge;q=0'), ['evm/session'])
    assert.deepEqual(select(server, '*/*;q=0.1, evm/charge;q=0.9'), ['evm/charge', 'stripe/charge', 'evm/session'])
    assert.deepEqual(select(server, '*/*, stripe/*;q=0'), ['evm/charge', 'evm/session'])
  })

  test('duplicate ranges of equal specificity: the higher q wins', () => {
    assert.deepEqual(select(server, 'evm/charge;q=0, evm/charge;q=0.5, stripe/charge;q=0.4'), ['evm/charge', 'stripe/charge'])
  })

  test('malformed header or nothing acceptable: the normal set (the spec lets servers ignore it)', () => {
    assert.deepEqual(select(server, 'EVM/charge;;'), server)
    assert.deepEqual(select(server, 'tempo/charge'), server)
    assert.deepEqual(select(server, '*/*;q=0'), server)
    assert.deepEqual(select(server, ''), server)
  })

  test('rank alone may return nothing', () => {
    assert.deepEqual(AcceptPayment.rank(server.map(offer), AcceptPayment.parse('*/*;q=0')), [])
  })

  test('select preserves extra offer fields and never mutates the input', () => {
    const offers = [
      { method: 'evm', intent: 'charge', request: { amount: '1' } },
      { method: 'stripe', intent: 'charge', request: { amount: '2' } },
    ]
    const copy = structuredClone(offers)
    const selected = AcceptPayment.select(offers, 'stripe/charge, evm/charge;q=0.5')
    assert.equal(selected[0], offers[1])
    assert.deepEqual(offers, copy)
  })
})
