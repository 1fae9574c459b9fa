// The outbound address policy: every address issue 12 lists, the ranges around them, the IPv6 forms
// that embed IPv4, host names that are never public, and names a resolver maps to private addresses.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { nonPublicHostName, nonPublicReason } from './address-policy'
import * as IpAddress from './ip-address'
import { checkHostName, outboundPolicyFromEnv, refusalFor, type OutboundPolicy } from './outbound-policy'
import { HostNotFoundError } from './resolve-host'

function reasonFor(text: string): string | null {
  const ip = IpAddress.parse(text)
  assert.ok(ip, `${text} parses`)
  return nonPublicReason(ip)
}

const nonPublic: Array<[string, RegExp]> = [
  // The list.
  ['127.0.0.1', /loopback/],
  ['127.0.0.2', /loopback/],
  ['::1', /loopback/],
  ['[::1]', /loopback/],
  ['::ffff:127.0.0.1', /IPv4-mapped form of a loopback/],
  ['0.0.0.0', /unspecified/],
  ['10.0.0.1', /private/],
  ['172.16.0.1', /private/],
  ['192.168.1.1', /private/],
  ['169.254.169.254', /link-local \(cloud metadata\)/],
  // The rest of each range and its neighbours.
  ['127.255.255.255', /loopback/],
  ['0.1.2.3', /unspecified/],
  ['10.255.255.255', /private/],
  ['172.31.255.255', /private/],
  ['192.168.255.255', /private/],
  ['169.254.0.1', /link-local/],
  ['100.64.0.1', /carrier-grade NAT/],
  ['100.127.255.255', /carrier-grade NAT/],
  ['192.0.0.8', /IETF/],
  ['192.0.2.1', /documentation/],
  ['198.51.100.7', /documentation/],
  ['203.0.113.9', /documentation/],
  ['198.18.0.1', /benchmarking/],
  ['198.19.255.255', /benchmarking/],
  ['192.88.99.1', /6to4 relay/],
  ['224.0.0.1', /multicast/],
  ['239.255.255.250', /multicast/],
  ['240.0.0.1', /reserved/],
  ['255.255.255.255', /broadcast/],
  ['::', /unspecified/],
  ['::127.0.0.1', /IPv4-compatible/],
  ['::8.8.8.8', /IPv4-compatible/],
  ['::ffff:7f00:2', /IPv4-mapped form of a loopback/],
  ['::ffff:10.1.2.3', /IPv4-mapped form of a private/],
  ['::ffff:169.254.169.254', /IPv4-mapped form of a link-local/],
  ['::ffff:0.0.0.0', /IPv4-mapped form of an unspecified/],
  ['64:ff9b::127.0.0.1', /NAT64 form of a loopback/],
  ['64:ff9b::a9fe:a9fe', /NAT64 form of a link-local/],
  ['64:ff9b:1::1', /local-use NAT64/],
  ['2002:7f00:1::1', /6to4 form of a loopback/],
  ['2002:c0a8:101::', /6to4 form of a private/],
  ['fc00::1', /unique local/],
  ['fd12:3456:789a::1', /unique local/],
  ['fe80::1', /link-local/],
  ['febf:ffff::1', /link-local/],
  ['fec0::1', /site-local/],
  ['ff02::1', /multicast/],
  ['100::1', /discard-only/],
  ['2001::1', /Teredo/],
  ['2001:2::1', /benchmarking/],
  ['2001:db8::1', /documentation/],
  ['3fff::1', /documentation/],
  ['5f00::1', /not global unicast/],
  ['4000::1', /not global unicast/],
]

const isPublic = [
  '8.8.8.8',
  '1.1.1.1',
  '93.184.216.34',
  '9.255.255.255',
  '11.0.0.0',
  '100.63.255.255',
  '100.128.0.0',
  '126.255.255.255',
  '128.0.0.0',
  '169.253.255.255',
  '169.255.0.0',
  '172.15.255.255',
  '172.32.0.0',
  '192.167.255.255',
  '192.169.0.0',
  '198.17.255.255',
  '198.20.0.0',
  '223.255.255.255',
  '2606:4700:4700::1111',
  '2001:4860:4860::8888',
  '2a00:1450:4001:82a::200e',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  '2002:808:808::1',
]

describe('nonPublicReason', () => {
  for (const [address, reason] of nonPublic)
    test(`${address} is not public`, () => {
      assert.match(reasonFor(address) ?? 'public', reason)
    })
  test('public addresses pass', () => {
    for (const address of isPublic) assert.equal(reasonFor(address), null, address)
  })
})

describe('host names', () => {
  test('localhost in every spelling, its subdomains and trailing-dot names are refused without resolving', () => {
    for (const name of ['localhost', 'LocalHost', 'localhost.', 'localhost..', 'api.localhost', 'api.localhost.'])
      assert.match(nonPublicHostName(name) ?? 'allowed', /names this server/, name)
    assert.match(nonPublicHostName('example.com.') ?? 'allowed', /ends with a dot/)
    assert.equal(nonPublicHostName('example.com'), null)
    assert.equal(nonPublicHostName('localhost.example.com'), null)
  })

  test('URL spellings of loopback are read as the address they are', () => {
    const policy = { allowPrivate: false, resolve: neverResolves }
    for (const url of [
      'http://127.0.0.1/',
      'http://0x7f.1/',
      'http://2130706433/',
      'http://127.1/',
      'http://%31%32%37.0.0.1/',
      'http://0177.0.0.1/',
      'http://[::ffff:127.0.0.1]/',
      'http://[0:0:0:0:0:ffff:127.0.0.1]/',
      'http://[::1]/',
      'http://0/',
    ])
      assert.ok('refusal' in checkHostName(new URL(url).hostname, policy), url)
  })
})

const neverResolves = async (hostname: string): Promise<string[]> => {
  throw new HostNotFoundError(hostname)
}

describe('refusalFor (the save-time check)', () => {
  const names: Record<string, string[]> = {
    'api.merchant.example': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
    'rebound.merchant.example': ['127.0.0.1'],
    'mixed.merchant.example': ['93.184.216.34', '10.0.0.7'],
    'mapped.merchant.example': ['::ffff:169.254.169.254'],
    'garbage.merchant.example': ['not-an-address'],
  }
  const resolve = async (hostname: string) => {
    const found = names[hostname]
    if (!found) throw new HostNotFoundError(hostname)
    return found
  }
  const strict: OutboundPolicy = { allowPrivate: false, resolve }

  test('a public-looking name that resolves to 127.0.0.1 is refused, naming the address', async () => {
    assert.equal(
      await refusalFor(new URL('https://rebound.merchant.example/api'), strict),
      'rebound.merchant.example resolves to 127.0.0.1, a loopback address: Tollgate connects only to public addresses',
    )
  })

  test('one non-public answer among public ones is enough to refuse', async () => {
    assert.match((await refusalFor(new URL('https://mixed.merchant.example/'), strict)) ?? '', /10\.0\.0\.7, a private address/)
    assert.match((await refusalFor(new URL('https://mapped.merchant.example/'), strict)) ?? '', /IPv4-mapped form of a link-local/)
    assert.match((await refusalFor(new URL('https://garbage.merchant.example/'), strict)) ?? '', /cannot read/)
  })

  test('public names and addresses pass; a name that does not resolve yet is left to the connection', async () => {
    assert.equal(await refusalFor(new URL('https://api.merchant.example/v1'), strict), null)
    assert.equal(await refusalFor(new URL('https://93.184.216.34/'), strict), null)
    assert.equal(await refusalFor(new URL('https://not-yet.merchant.example/'), strict), null)
  })

  test('literal addresses and localhost are refused without asking the resolver', async () => {
    const asked: string[] = []
    const spy: OutboundPolicy = { allowPrivate: false, resolve: async (h) => (asked.push(h), ['93.184.216.34']) }
    assert.equal(
      await refusalFor(new URL('http://169.254.169.254/latest/meta-data/'), spy),
      '169.254.169.254 is a link-local (cloud metadata) address: Tollgate connects only to public addresses',
    )
    assert.match((await refusalFor(new URL('http://localhost.:8080/'), spy)) ?? '', /localhost\. names this server/)
    assert.deepEqual(asked, [])
  })

  test('ALLOW_PRIVATE_UPSTREAMS=1 allows all of them', async () => {
    const open: OutboundPolicy = { allowPrivate: true, resolve }
    for (const url of ['http://127.0.0.1:1/', 'http://localhost./', 'https://rebound.merchant.example/', 'http://[::1]/'])
      assert.equal(await refusalFor(new URL(url), open), null, url)
  })

  test('the policy from the environment', () => {
    assert.equal(outboundPolicyFromEnv({}).allowPrivate, false)
    assert.equal(outboundPolicyFromEnv({ ALLOW_PRIVATE_UPSTREAMS: '0' }).allowPrivate, false)
    assert.equal(outboundPolicyFromEnv({ ALLOW_PRIVATE_UPSTREAMS: 'yes please' }).allowPrivate, false)
    assert.equal(outboundPolicyFromEnv({ ALLOW_PRIVATE_UPSTREAMS: '1' }).allowPrivate, true)
    assert.equal(outboundPolicyFromEnv({ ALLOW_PRIVATE_UPSTREAMS: 'true' }).allowPrivate, true)
    assert.throws(() => outboundPolicyFromEnv({ UPSTREAM_DNS_SERVERS: 'not a server!' }), /UPSTREAM_DNS_SERVERS/)
  })
})
