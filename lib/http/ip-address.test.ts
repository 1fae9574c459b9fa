import assert from 'node:assert/strict'
import { isIP } from 'node:net'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { ipv6Network64, parseIpAddress } from './ip-address'

describe('parseIpAddress', () => {
  test('addresses as sockets and proxies write them, one spelling per address', () => {
    const cases: Array<[string, string, 4 | 6]> = [
      ['203.0.113.7', '203.0.113.7', 4],
      [' 203.0.113.7 ', '203.0.113.7', 4],
      ['203.0.113.7:51234', '203.0.113.7', 4],
      ['::ffff:203.0.113.7', '203.0.113.7', 4],
      ['::FFFF:cb00:7107', '203.0.113.7', 4],
      ['[::ffff:127.0.0.1]:80', '127.0.0.1', 4],
      ['2001:DB8:0:0:0:0:0:1', '2001:db8::1', 6],
      ['2001:0db8::0001', '2001:db8::1', 6],
      ['[2001:db8::1]', '2001:db8::1', 6],
      ['[2001:db8::1]:443', '2001:db8::1', 6],
      ['::1', '::1', 6],
      ['::', '::', 6],
      ['fe80::1%eth0', 'fe80::1', 6],
      ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1', 6],
      ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1', 6],
      ['2001:0:0:1:1:0:0:1', '2001::1:1:0:0:1', 6],
      ['64:ff9b::192.0.2.33', '64:ff9b::c000:221', 6],
    ]
    for (const [input, text, version] of cases) assert.deepEqual(parseIpAddress(input), { text, version }, input)
  })

  test('anything else is not an address', () => {
    for (const input of [
      '',
      'unknown',
      '_hidden',
      '1.2.3',
      '01.2.3.4',
      '1.2.3.256',
      '1.2.3.4:',
      '1.2.3.4:99999',
      '[1.2.3.4]',
      '[::1',
      '[::1]x',
      'example.com',
      '2001:db8::1::2',
      '1'.repeat(200),
    ])
      assert.equal(parseIpAddress(input), null, input)
  })

  test('property: never throws; what it returns is a valid address in its one spelling', () => {
    const ipv4 = fc.ipV4()
    const ipv6 = fc.ipV6()
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          ipv4,
          ipv6,
          ipv4.map((a) => `${a}:8080`),
          ipv6.map((a) => `[${a}]:1`),
        ),
        (input) => {
          const parsed = parseIpAddress(input)
          if (!parsed) return
          assert.equal(isIP(parsed.text), parsed.version)
          assert.deepEqual(parseIpAddress(parsed.text), parsed, 'normal form is a fixed point')
          assert.equal(parsed.text, parsed.text.toLowerCase())
        },
      ),
      { numRuns: 3000 },
    )
  })

  test('property: every spelling of an IPv6 address gives the same text', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), fc.boolean(), (groups, upper) => {
        const full = groups.map((g) => g.toString(16).padStart(4, '0')).join(':')
        const short = groups.map((g) => g.toString(16)).join(':')
        const spelled = upper ? full.toUpperCase() : full
        assert.equal(parseIpAddress(spelled)?.text, parseIpAddress(short)?.text)
      }),
      { numRuns: 2000 },
    )
  })
})

describe('ipv6Network64', () => {
  test('keeps the first four groups', () => {
    assert.equal(ipv6Network64(parseIpAddress('2001:db8:1:2:3:4:5:6')!), '2001:db8:1:2::/64')
    assert.equal(ipv6Network64(parseIpAddress('2001:db8:1:2::9')!), '2001:db8:1:2::/64')
    assert.equal(ipv6Network64(parseIpAddress('::1')!), '::/64')
    assert.throws(() => ipv6Network64(parseIpAddress('1.2.3.4')!), TypeError)
  })
})
