import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { clientAddress, parseTrustProxy, TrustProxyConfigError, type TrustProxy } from './client-address'
import { parseIpAddress, type IpAddress } from './ip-address'

const ip = (text: string): IpAddress => parseIpAddress(text)!
const keyOf = (socket: string, forwardedFor: string | null, trust: TrustProxy) => clientAddress(ip(socket), forwardedFor, trust).text

describe('parseTrustProxy', () => {
  test('unset, empty and 0 trust nobody; a number trusts that many hops', () => {
    for (const value of [undefined, '', ' ', '0', 'none', 'NONE']) assert.deepEqual(parseTrustProxy(value), { kind: 'none' }, String(value))
    assert.deepEqual(parseTrustProxy('1'), { kind: 'hops', hops: 1 })
    assert.deepEqual(parseTrustProxy(' 3 '), { kind: 'hops', hops: 3 })
  })

  test('addresses, CIDR networks and named sets', () => {
    const trust = parseTrustProxy('10.0.0.0/8, 2001:db8::/32,192.0.2.1 ,loopback')
    assert.equal(trust.kind, 'networks')
    if (trust.kind !== 'networks') return
    assert.deepEqual(trust.networks, ['10.0.0.0/8', '2001:db8::/32', '192.0.2.1', '127.0.0.0/8', '::1/128'])
    assert.ok(trust.list.check('10.200.3.4', 'ipv4'))
    assert.ok(trust.list.check('192.0.2.1', 'ipv4'))
    assert.ok(!trust.list.check('192.0.2.2', 'ipv4'))
    assert.ok(trust.list.check('2001:db8:ffff::1', 'ipv6'))
    assert.ok(trust.list.check('::ffff:127.0.0.1', 'ipv6'))
    const named = parseTrustProxy('private,linklocal')
    assert.ok(named.kind === 'networks' && named.list.check('172.31.255.255', 'ipv4') && named.list.check('fe80::1', 'ipv6'))
  })

  test('anything else is refused, naming what is wrong', () => {
    for (const value of [
      'true',
      'yes',
      '33',
      '10.0.0.0/33',
      '::/129',
      '10.0.0.0/8/1',
      'example.com',
      '10.0.0.0/x',
      ',',
      '[::1]',
      '1.2.3.4/-1',
    ])
      assert.throws(() => parseTrustProxy(value), TrustProxyConfigError, value)
  })
})

describe('clientAddress', () => {
  const none = parseTrustProxy('')
  const oneHop = parseTrustProxy('1')
  const twoHops = parseTrustProxy('2')
  const ours = parseTrustProxy('10.0.0.0/8')

  test('trusting nobody, the socket is the client whatever X-Forwarded-For says', () => {
    assert.equal(keyOf('203.0.113.9', '198.51.100.1', none), '203.0.113.9')
    assert.equal(keyOf('::ffff:203.0.113.9', null, none), '203.0.113.9')
  })

  test('hops: the entry the outermost trusted proxy wrote', () => {
    assert.equal(keyOf('10.0.0.2', '1.1.1.1, 198.51.100.7', oneHop), '198.51.100.7')
    assert.equal(keyOf('10.0.0.2', '1.1.1.1, 198.51.100.7, 10.0.0.9', twoHops), '198.51.100.7')
    // Fewer entries than hops: the request skipped a proxy; the left-most is the client.
    assert.equal(keyOf('10.0.0.2', '198.51.100.7', twoHops), '198.51.100.7')
    assert.equal(keyOf('10.0.0.2', null, oneHop), '10.0.0.2')
  })

  test('networks: the right-most entry outside the trusted networks', () => {
    assert.equal(keyOf('10.0.0.2', '6.6.6.6, 198.51.100.7, 10.1.1.1', ours), '198.51.100.7')
    // A client outside the trusted networks connecting directly cannot forward for anyone.
    assert.equal(keyOf('198.51.100.7', '10.1.1.1', ours), '198.51.100.7')
    // Every hop trusted: the left-most.
    assert.equal(keyOf('10.0.0.2', '10.5.5.5, 10.1.1.1', ours), '10.5.5.5')
  })

  test('an entry that is not an address stops at the trusted hop that passed it on', () => {
    assert.equal(keyOf('10.0.0.2', 'unknown', oneHop), '10.0.0.2')
    assert.equal(keyOf('10.0.0.2', '198.51.100.7, garbage', ours), '10.0.0.2')
    assert.equal(keyOf('10.0.0.2', '198.51.100.7:4711, [2001:db8::1]:80', ours), '2001:db8::1')
  })

  // ---- properties --------------------------------------------------------------------------------

  const address = fc.oneof(fc.ipV4(), fc.ipV6())
  // One entry each: noise without the separator.
  const noise = fc.string({ maxLength: 20 }).filter((s) => !s.includes(','))
  const entry = fc.oneof({ weight: 4, arbitrary: address }, { weight: 1, arbitrary: noise })
  const entries = fc.array(entry, { maxLength: 8 })
  const join = (list: string[]) => (list.length === 0 ? null : list.join(', '))
  const trust: fc.Arbitrary<TrustProxy> = fc.oneof(
    fc.constant(none),
    fc.integer({ min: 1, max: 4 }).map((hops) => parseTrustProxy(String(hops))),
    fc.constantFrom('10.0.0.0/8', 'private,loopback', '2001:db8::/32,10.0.0.0/8', '0.0.0.0/0').map(parseTrustProxy),
  )

  test('property: any X-Forwarded-For, never a throw, always a valid address from the socket or the header', () => {
    fc.assert(
      fc.property(
        address,
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          entries.map((e) => e.join(',')),
        ),
        trust,
        (socket, xff, t) => {
          const result = clientAddress(ip(socket), xff, t)
          assert.deepEqual(parseIpAddress(result.text), result)
          const candidates = [socket, ...xff.split(',')].map((e) => parseIpAddress(e)?.text)
          assert.ok(candidates.includes(result.text))
        },
      ),
      { numRuns: 3000 },
    )
  })

  test('property: trusting nobody, X-Forwarded-For never changes the key', () => {
    fc.assert(
      fc.property(address, fc.string(), (socket, xff) => assert.equal(keyOf(socket, xff, none), ip(socket).text)),
      { numRuns: 2000 },
    )
  })

  test('property: what a client prepends never changes the key once a trusted proxy wrote the client’s entry', () => {
    fc.assert(
      fc.property(address, entries, entries, trust, (socket, written, forged, t) => {
        const before = clientAddress(ip(socket), join(written), t)
        const after = clientAddress(ip(socket), join([...forged, ...written]), t)
        // Only when the walk ended inside what the proxies wrote (not on its left edge) is the key settled.
        if (settledWithin(socket, written, t)) assert.deepEqual(after, before)
      }),
      { numRuns: 3000 },
    )
  })

  test('property: the key is the right-most untrusted hop (against a direct model of the walk)', () => {
    const trusted = parseTrustProxy('10.0.0.0/8')
    const inside = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `10.${a}.${b}.${c}`)
    const outside = fc.ipV4().filter((a) => !a.startsWith('10.'))
    fc.assert(
      fc.property(fc.array(fc.oneof(inside, outside), { minLength: 1, maxLength: 8 }), (chain) => {
        const socket = chain[chain.length - 1]!
        const xff = chain.slice(0, -1)
        let expected = chain[0]!
        for (let i = chain.length - 1; i >= 0; i--)
          if (!chain[i]!.startsWith('10.')) {
            expected = chain[i]!
            break
          }
        assert.equal(keyOf(socket, join(xff), trusted), expected)
      }),
      { numRuns: 2000 },
    )
  })
})

/** True when the walk stops at an entry the proxies wrote (or the socket) rather than running off the left of `written`. */
function settledWithin(socket: string, written: string[], trust: TrustProxy): boolean {
  if (trust.kind === 'none') return true
  const chain = [...written, socket]
  for (let hop = 1; hop <= chain.length; hop++) {
    const current = parseIpAddress(chain[chain.length - hop]!)
    if (!current) return true
    const isTrusted = trust.kind === 'hops' ? hop <= trust.hops : trust.list.check(current.text, current.version === 4 ? 'ipv4' : 'ipv6')
    if (!isTrusted) return true
  }
  return false
}
