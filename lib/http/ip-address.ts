// IP addresses as they arrive in sockets and X-Forwarded-For entries: validated and written one way
// (IPv4 dotted quad, IPv6 lower-case and compressed, IPv4-mapped IPv6 as IPv4), so one client is one key.
import { isIPv4, isIPv6 } from 'node:net'

export type IpAddress = { version: 4 | 6; text: string }

/** Longest entry worth parsing: a bracketed IPv6 address with a zone and a port fits well within it. */
const MAX_ENTRY_LENGTH = 100

/**
 * One address as a proxy or socket reports it: `1.2.3.4`, `1.2.3.4:80`, `2001:db8::1`, `[2001:db8::1]:443`,
 * `::ffff:1.2.3.4`. Null for anything else (`unknown`, obfuscated RFC 7239 names, garbage).
 */
export function parseIpAddress(entry: string): IpAddress | null {
  let text = entry.trim()
  if (text.length === 0 || text.length > MAX_ENTRY_LENGTH) return null
  if (text.startsWith('[')) {
    const end = text.indexOf(']')
    const rest = text.slice(end + 1)
    if (end < 0 || (rest !== '' && !(rest.startsWith(':') && isPort(rest.slice(1))))) return null
    text = text.slice(1, end)
    if (!isIPv6(text)) return null
  } else if (/^[\d.]+:\d+$/.test(text)) {
    if (!isPort(text.slice(text.lastIndexOf(':') + 1))) return null
    text = text.slice(0, text.lastIndexOf(':'))
  }
  if (isIPv4(text)) return { version: 4, text }
  if (!isIPv6(text)) return null
  // A zone (fe80::1%eth0) names an interface of the proxy, not a different client.
  const groups = ipv6Groups(text.split('%')[0]!)
  if (!groups) return null
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff)
    return { version: 4, text: `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}` }
  return { version: 6, text: formatIpv6(groups) }
}

/** The /64 network of an IPv6 address (one subscriber's usual allocation), e.g. `2001:db8:1:2::/64`. */
export function ipv6Network64(address: IpAddress): string {
  if (address.version !== 6) throw new TypeError('not an IPv6 address')
  const groups = ipv6Groups(address.text)!
  return `${formatIpv6([...groups.slice(0, 4), 0, 0, 0, 0])}/64`
}

function isPort(text: string): boolean {
  return /^\d{1,5}$/.test(text) && Number(text) <= 65535
}

// The eight 16-bit groups of a valid IPv6 address (isIPv6 already said it is one).
function ipv6Groups(text: string): number[] | null {
  let body = text.toLowerCase()
  const tail: number[] = []
  const embedded = /(\d+\.\d+\.\d+\.\d+)$/.exec(body)
  if (embedded) {
    const octets = embedded[1]!.split('.').map(Number)
    tail.push((octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!)
    body = body.slice(0, -embedded[1]!.length)
    if (body.endsWith(':') && !body.endsWith('::')) body = body.slice(0, -1)
  }
  const [head, rest] = body.split('::') as [string, string | undefined]
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)))
  const left = parse(head)
  const right = rest === undefined ? [] : parse(rest)
  const missing = 8 - tail.length - left.length - right.length
  if (rest === undefined ? missing !== 0 : missing < 1) return null
  const groups = [...left, ...Array<number>(rest === undefined ? 0 : missing).fill(0), ...right, ...tail]
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null
}

// RFC 5952: lower case, no leading zeros, the longest run (two or more) of zero groups as "::".
function formatIpv6(groups: number[]): string {
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i]
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}
