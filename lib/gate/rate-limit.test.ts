import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { clientKey, RateLimiter } from './rate-limit'

const t0 = 1_800_000_000_000 - (1_800_000_000_000 % 60_000)

describe('RateLimiter', () => {
  test('counts per client within a minute, and starts over the next minute', () => {
    const limiter = new RateLimiter(2)
    assert.equal(limiter.hit('a', t0).allowed, true)
    assert.equal(limiter.hit('a', t0 + 1).allowed, true)
    const refused = limiter.hit('a', t0 + 30_000)
    assert.deepEqual(refused, { allowed: false, retryAfterSeconds: 30 })
    assert.equal(limiter.hit('b', t0 + 30_000).allowed, true)
    assert.equal(limiter.hit('a', t0 + 60_000).allowed, true)
  })

  test('a full table evicts one counter at a time: everyone else keeps theirs', () => {
    const limiter = new RateLimiter(3, 100)
    for (let i = 0; i < 100; i++) limiter.hit(`c${i}`, t0)
    for (let i = 0; i < 3; i++) limiter.hit('c99', t0)
    // 500 newcomers: memory stays at 100 counters, and no window reset happened for the others.
    for (let i = 0; i < 500; i++) limiter.hit(`new${i}`, t0 + 1)
    assert.equal(limiter.size, 100)
    assert.equal(limiter.hit('c99', t0 + 2).allowed, false, 'c99 was at its limit and still is')
  })

  test('a flood of new addresses cannot free a client that is over its limit', () => {
    const limiter = new RateLimiter(5, 1_000)
    for (let i = 0; i < 6; i++) limiter.hit('attacker', t0)
    assert.equal(limiter.hit('attacker', t0).allowed, false)
    for (let i = 0; i < 20_000; i++) limiter.hit(`rotated-${i}`, t0 + 1)
    assert.equal(limiter.size, 1_000)
    assert.equal(limiter.hit('attacker', t0 + 2).allowed, false)
  })

  test('crossing the default table size (50,000 clients) resets no one', () => {
    // The limiter used to drop every counter once it tracked 50,000 clients.
    const limiter = new RateLimiter(5)
    for (let i = 0; i < 5; i++) limiter.hit('limited', t0)
    for (let i = 0; i < 50_001; i++) limiter.hit(`k${i}`, t0 + 1)
    assert.equal(limiter.hit('limited', t0 + 2).allowed, false, 'the client at its limit stays limited')
    assert.equal(limiter.hit('k50000', t0 + 2).allowed, true)
  })
})

describe('clientKey', () => {
  const marker = globalThis as unknown as { __tollgateSocketAddressHeader?: string }
  const previous = { header: marker.__tollgateSocketAddressHeader, trust: process.env.TRUST_PROXY }
  before(() => {
    marker.__tollgateSocketAddressHeader = 'x-test-socket-address'
  })
  after(() => {
    marker.__tollgateSocketAddressHeader = previous.header
    if (previous.trust === undefined) delete process.env.TRUST_PROXY
    else process.env.TRUST_PROXY = previous.trust
  })
  const request = (headers: Record<string, string>) => new Request('http://test.invalid/', { headers })

  test('the socket address recorded by the server, X-Forwarded-For ignored without TRUST_PROXY', () => {
    delete process.env.TRUST_PROXY
    assert.equal(clientKey(request({ 'x-test-socket-address': '203.0.113.5', 'x-forwarded-for': '1.2.3.4' })), '203.0.113.5')
    assert.equal(clientKey(request({ 'x-test-socket-address': '::ffff:203.0.113.5' })), '203.0.113.5')
    assert.equal(clientKey(request({ 'x-forwarded-for': '1.2.3.4' })), 'unknown')
  })

  test('IPv6 clients count per /64', () => {
    delete process.env.TRUST_PROXY
    assert.equal(clientKey(request({ 'x-test-socket-address': '2001:db8:aa:bb:1:2:3:4' })), '2001:db8:aa:bb::/64')
    assert.equal(clientKey(request({ 'x-test-socket-address': '2001:db8:aa:bb::ffff' })), '2001:db8:aa:bb::/64')
  })

  test('with TRUST_PROXY, the right-most untrusted X-Forwarded-For entry', () => {
    process.env.TRUST_PROXY = 'loopback'
    assert.equal(clientKey(request({ 'x-test-socket-address': '127.0.0.1', 'x-forwarded-for': '6.6.6.6, 198.51.100.2' })), '198.51.100.2')
    process.env.TRUST_PROXY = '1'
    assert.equal(clientKey(request({ 'x-test-socket-address': '10.0.0.1', 'x-forwarded-for': '6.6.6.6, 198.51.100.3' })), '198.51.100.3')
  })
})
