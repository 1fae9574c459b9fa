// IP address literals as bytes: the one parser the address policy trusts, for URL hosts and DNS answers.
// Strict on purpose: dotted-quad IPv4 in decimal without leading zeros, RFC 4291 IPv6 text (with an
// optional dotted IPv4 tail), no zone index. Anything else is not an address (and gets no benefit of doubt).

export type IpAddress = { family: 4; bytes: Uint8Array } | { family: 6; bytes: Uint8Array }

const decimalOctet = /^(?:0|[1-9][0-9]{0,2})$/
const hexGroup = /^[0-9a-fA-F]{1,4}$/

/** An IPv4 or IPv6 literal (IPv6 optionally in URL brackets), or null when `text` is not one. */
export function parse(text: string): IpAddress | null {
  if (text.length > 64) return null
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text
  if (bare.includes(':')) {
    const bytes = parseIpv6(bare)
    return bytes && { family: 6, bytes }
  }
  const bytes = parseIpv4(bare)
  return bytes && { family: 4, bytes }
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.')
  if (parts.length !== 4) return null
  const bytes = new Uint8Array(4)
  for (const [i, part] of parts.entries()) {
    if (!decimalOctet.test(part)) return null
    const value = Number(part)
    if (value > 255) return null
    bytes[i] = value
  }
  return bytes
}

function parseIpv6(text: string): Uint8Array | null {
  let head = text
  let tail: Uint8Array | null = null
  if (text.includes('.')) {
    // A dotted IPv4 tail stands for the last two groups.
    const lastColon = text.lastIndexOf(':')
    tail = parseIpv4(text.slice(lastColon + 1))
    if (!tail) return null
    head = `${text.slice(0, lastColon + 1)}0:0`
  }
  const halves = head.split('::')
  if (halves.length > 2) return null
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':'))
  const left = groupsOf(halves[0]!)
  const right = halves.length === 2 ? groupsOf(halves[1]!) : []
  if (![...left, ...right].every((group) => hexGroup.test(group))) return null
  const count = left.length + right.length
  if (halves.length === 1 ? count !== 8 : count > 7) return null
  const groups = [...left, ...Array<string>(8 - count).fill('0'), ...right]
  const bytes = new Uint8Array(16)
  for (const [i, group] of groups.entries()) {
    const value = parseInt(group, 16)
    bytes[2 * i] = value >> 8
    bytes[2 * i + 1] = value & 0xff
  }
  if (tail) bytes.set(tail, 12)
  return bytes
}

/** Dotted quad, or RFC 5952 IPv6 text (lower case, the longest run of two or more zero groups as "::"). */
export function format(ip: IpAddress): string {
  if (ip.family === 4) return Array.from(ip.bytes).join('.')
  const groups = Array.from({ length: 8 }, (_, i) => (ip.bytes[2 * i]! << 8) | ip.bytes[2 * i + 1]!)
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let end = i
    while (end < 8 && groups[end] === 0) end++
    if (end - i > bestLength) [bestStart, bestLength] = [i, end - i]
    i = end
  }
  const hex = (part: number[]) => part.map((g) => g.toString(16)).join(':')
  if (bestStart < 0) return hex(groups)
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`
}

/** True when the first `bits` bits of `bytes` equal those of `prefix`. */
export function hasPrefix(bytes: Uint8Array, prefix: Uint8Array, bits: number): boolean {
  for (let i = 0; i < bits; i += 8) {
    const take = Math.min(8, bits - i)
    const mask = (0xff << (8 - take)) & 0xff
    if ((bytes[i / 8]! & mask) !== (prefix[i / 8]! & mask)) return false
  }
  return true
}
