// The address parser reads hostnames of merchant URLs and DNS answers: it must never throw, agree with
// Node's own notion of an address, read back every address it writes (and every form URL writes), and
// the policy must judge an IPv4 address the same in each IPv6 form that embeds it.
import assert from 'node:assert/strict'
import { isIP } from 'node:net'
import { test } from 'node:test'
import fc from 'fast-check'
import { nonPublicReason } from './address-policy'
import * as IpAddress from './ip-address'

const numRuns = 3000

const ipv4 = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((bytes): IpAddress.IpAddress => ({ family: 4, bytes }))
// Mostly zero groups, so compressed forms and embedded IPv4 tails come up often.
const ipv6 = fc
  .array(fc.oneof(fc.constant(0), fc.constant(0xffff), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 })
  .map((groups): IpAddress.IpAddress => ({ family: 6, bytes: new Uint8Array(groups.flatMap((g) => [g >> 8, g & 0xff])) }))
const address = fc.oneof(ipv4, ipv6)

// Strings built from the characters addresses are made of, in address-like chunks.
const addressLike = fc
  .array(
    fc.oneof(
      fc.constantFrom(':', '::', '.', '0', '00', '1', '255', '256', 'ffff', 'fe80', '1.2.3.4', '[', ']'),
      fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), maxLength: 5 }),
    ),
    {
      maxLength: 12,
    },
  )
  .map((parts) => parts.join(''))

test('parse never throws, and accepts exactly what node:net calls an address (zone indexes aside)', () => {
  fc.assert(
    fc.property(fc.oneof(addressLike, fc.string({ maxLength: 50 })), (text) => {
      const parsed = IpAddress.parse(text)
      if (text.startsWith('[') || text.includes('%')) return
      assert.equal(parsed !== null, isIP(text) !== 0, text)
      if (parsed) assert.equal(parsed.family, isIP(text))
    }),
    { numRuns },
  )
})

test('format then parse gives the same bytes; so does the long form, upper case and with leading zeros', () => {
  fc.assert(
    fc.property(address, (ip) => {
      assert.deepEqual(IpAddress.parse(IpAddress.format(ip)), ip)
      if (ip.family === 6) {
        const long = Array.from({ length: 8 }, (_, i) => ((ip.bytes[2 * i]! << 8) | ip.bytes[2 * i + 1]!).toString(16).padStart(4, '0'))
        assert.deepEqual(IpAddress.parse(long.join(':').toUpperCase()), ip)
        assert.deepEqual(IpAddress.parse(`[${IpAddress.format(ip)}]`), ip)
      }
    }),
    { numRuns },
  )
})

test('every hostname the URL parser writes for an address is read back as that address', () => {
  fc.assert(
    fc.property(address, (ip) => {
      const host = ip.family === 6 ? `[${IpAddress.format(ip)}]` : IpAddress.format(ip)
      assert.deepEqual(IpAddress.parse(new URL(`http://${host}/`).hostname), ip)
      if (ip.family === 4) {
        // URL also reads IPv4 as one number or in hex, and writes it back dotted.
        const number = new DataView(ip.bytes.buffer).getUint32(0)
        assert.deepEqual(IpAddress.parse(new URL(`http://${number}/`).hostname), ip)
        assert.deepEqual(IpAddress.parse(new URL(`http://0x${number.toString(16)}/`).hostname), ip)
      }
    }),
    { numRuns },
  )
})

test('an IPv4 address is as public in its IPv4-mapped, NAT64 and 6to4 forms as on its own', () => {
  fc.assert(
    fc.property(ipv4, (ip) => {
      const own = nonPublicReason(ip) === null
      const forms = [
        [...Array(10).fill(0), 0xff, 0xff, ...ip.bytes],
        [0x00, 0x64, 0xff, 0x9b, ...Array(8).fill(0), ...ip.bytes],
        [0x20, 0x02, ...ip.bytes, ...Array(10).fill(0)],
      ]
      for (const bytes of forms) assert.equal(nonPublicReason({ family: 6, bytes: new Uint8Array(bytes) }) === null, own)
      // The deprecated IPv4-compatible form is never public.
      assert.notEqual(nonPublicReason({ family: 6, bytes: new Uint8Array([...Array(12).fill(0), ...ip.bytes]) }), null)
    }),
    { numRuns },
  )
})
