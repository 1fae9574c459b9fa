// Which addresses are public: Tollgate connects on a merchant's behalf (proxy upstreams, webhook
// endpoints) only to those, unless the operator allows private ones. Ranges from the IANA
// special-purpose registries (RFC 6890 and successors); IPv6 outside 2000::/3 is not global unicast.
import * as IpAddress from './ip-address'

type Range = { prefix: Uint8Array; bits: number; reason: string }

function range(cidr: string, reason: string): Range {
  const [address, bits] = cidr.split('/')
  const ip = IpAddress.parse(address!)
  if (!ip) throw new Error(`bad range ${cidr}`)
  return { prefix: ip.bytes, bits: Number(bits), reason }
}

const ipv4Ranges: Range[] = [
  range('0.0.0.0/8', 'an unspecified ("this network")'),
  range('10.0.0.0/8', 'a private'),
  range('100.64.0.0/10', 'a shared (carrier-grade NAT)'),
  range('127.0.0.0/8', 'a loopback'),
  range('169.254.0.0/16', 'a link-local (cloud metadata)'),
  range('172.16.0.0/12', 'a private'),
  range('192.0.0.0/24', 'a reserved (IETF protocol assignments)'),
  range('192.0.2.0/24', 'a documentation'),
  range('192.88.99.0/24', 'a reserved (6to4 relay anycast)'),
  range('192.168.0.0/16', 'a private'),
  range('198.18.0.0/15', 'a benchmarking'),
  range('198.51.100.0/24', 'a documentation'),
  range('203.0.113.0/24', 'a documentation'),
  range('224.0.0.0/4', 'a multicast'),
  range('255.255.255.255/32', 'the broadcast'),
  range('240.0.0.0/4', 'a reserved'),
]

// Forms that carry an IPv4 address inside: they are as public as the address they embed.
const embeddingRanges: Array<{ range: Range; offset: number }> = [
  { range: range('::ffff:0:0/96', 'an IPv4-mapped'), offset: 12 },
  { range: range('64:ff9b::/96', 'a NAT64'), offset: 12 },
  { range: range('2002::/16', 'a 6to4'), offset: 2 },
]

const ipv6Ranges: Range[] = [
  range('::/128', 'an unspecified'),
  range('::1/128', 'a loopback'),
  range('::/96', 'an IPv4-compatible (deprecated)'),
  range('64:ff9b:1::/48', 'a local-use NAT64'),
  range('100::/64', 'a discard-only'),
  range('2001::/23', 'a reserved (IETF protocol assignments, Teredo, benchmarking)'),
  range('2001:db8::/32', 'a documentation'),
  range('3fff::/20', 'a documentation'),
  range('fc00::/7', 'a unique local (private)'),
  range('fe80::/10', 'a link-local'),
  range('fec0::/10', 'a site-local (deprecated)'),
  range('ff00::/8', 'a multicast'),
]
const globalUnicast = range('2000::/3', '')

/**
 * Why `ip` is not a public address, as "a loopback", "a private", … (read "<ip> is <reason> address"),
 * or null when it is public.
 */
export function nonPublicReason(ip: IpAddress.IpAddress): string | null {
  if (ip.family === 4) return ipv4Ranges.find((r) => IpAddress.hasPrefix(ip.bytes, r.prefix, r.bits))?.reason ?? null
  for (const { range: form, offset } of embeddingRanges) {
    if (!IpAddress.hasPrefix(ip.bytes, form.prefix, form.bits)) continue
    const inner = nonPublicReason({ family: 4, bytes: ip.bytes.slice(offset, offset + 4) })
    return inner && `${form.reason} form of ${inner}`
  }
  const listed = ipv6Ranges.find((r) => IpAddress.hasPrefix(ip.bytes, r.prefix, r.bits))
  if (listed) return listed.reason
  return IpAddress.hasPrefix(ip.bytes, globalUnicast.prefix, globalUnicast.bits) ? null : 'a reserved (not global unicast)'
}

/**
 * A host name that is never public whatever it resolves to: localhost and its subdomains (RFC 6761),
 * and names with a trailing dot (an absolute name that sidesteps naive host comparisons).
 */
export function nonPublicHostName(hostname: string): string | null {
  const name = hostname.toLowerCase().replace(/\.+$/, '')
  if (name === 'localhost' || name.endsWith('.localhost')) return `${hostname} names this server`
  if (hostname.endsWith('.')) return `${hostname} ends with a dot; write the host name without it`
  return null
}
