// Who is asking: the address of the client a request came from, for rate limits. By default the
// socket's peer, which a client cannot choose; X-Forwarded-For only counts when TRUST_PROXY says which
// proxies in front are ours, and then only its right-most entry that none of them wrote for itself.
import { BlockList } from 'node:net'
import { parseIpAddress, type IpAddress } from './ip-address'

/** Which hops in front of Tollgate are trusted to append to X-Forwarded-For. */
export type TrustProxy =
  | { kind: 'none' }
  /** The nearest `hops` proxies (the socket's peer is the first), whatever their addresses. */
  | { kind: 'hops'; hops: number }
  /** Proxies whose address is in one of these networks. */
  | { kind: 'networks'; networks: string[]; list: BlockList }

export class TrustProxyConfigError extends Error {
  override name = 'TrustProxyConfigError'
}

/** Named network sets, as operators usually describe their proxies. */
const namedNetworks: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
}

const MAX_HOPS = 32

/**
 * TRUST_PROXY: unset, empty or `0` trusts no proxy; a whole number N trusts the N nearest hops; a
 * comma-separated list of addresses, CIDR networks and the names `loopback`, `private` and `linklocal`
 * trusts proxies at those addresses. Anything else is refused (a typo must not silently trust nobody or everybody).
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const text = value?.trim() ?? ''
  if (text === '' || text === '0' || text.toLowerCase() === 'none') return { kind: 'none' }
  if (/^\d+$/.test(text)) {
    const hops = Number(text)
    if (hops > MAX_HOPS) throw new TrustProxyConfigError(`TRUST_PROXY: at most ${MAX_HOPS} hops, not ${text}`)
    return { kind: 'hops', hops }
  }
  const list = new BlockList()
  const networks: string[] = []
  for (const raw of text.split(',')) {
    const item = raw.trim().toLowerCase()
    if (item === '') continue
    for (const network of namedNetworks[item] ?? [item]) {
      addNetwork(list, network)
      networks.push(network)
    }
  }
  if (networks.length === 0) throw new TrustProxyConfigError(`TRUST_PROXY: no network in "${text}"`)
  return { kind: 'networks', networks, list }
}

function addNetwork(list: BlockList, network: string): void {
  const [addressText, prefixText, extra] = network.split('/')
  const address = parseIpAddress(addressText ?? '')
  const max = address?.version === 4 ? 32 : 128
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN
  if (!address || extra !== undefined || addressText!.includes('[') || !(prefix >= 0 && prefix <= max))
    throw new TrustProxyConfigError(
      `TRUST_PROXY: "${network}" is not an address, a CIDR network or one of ${Object.keys(namedNetworks).join(', ')}`,
    )
  list.addSubnet(address.text, prefix, address.version === 4 ? 'ipv4' : 'ipv6')
}

/**
 * The client's address: the socket's peer unless it is a trusted proxy, then walking X-Forwarded-For
 * from the right past trusted hops. An entry that is not an address stops the walk at the trusted hop
 * that wrote it. Entries left of the one taken are whatever the client sent, and never matter.
 */
export function clientAddress(socket: IpAddress, forwardedFor: string | null, trust: TrustProxy): IpAddress {
  if (trust.kind === 'none' || !forwardedFor) return socket
  // Right to left: what the socket's peer saw, then what the proxy before it saw, and so on.
  const entries = forwardedFor.split(',').reverse()
  let current = socket
  for (let hop = 1; ; hop++) {
    const trusted = trust.kind === 'hops' ? hop <= trust.hops : trust.list.check(current.text, current.version === 4 ? 'ipv4' : 'ipv6')
    if (!trusted) return current
    const entry = entries[hop - 1]
    if (entry === undefined) return current
    const previous = parseIpAddress(entry)
    if (!previous) return current
    current = previous
  }
}

// ---- The request's view ------------------------------------------------------------------------

/**
 * server.mjs records each request's socket address in a request header of its choosing (overwriting
 * anything a client sent under that name) and names the header here. Without it (`next dev`, or
 * `next start` run directly) a route cannot see the socket at all.
 */
const socketHeaderMarker = '__tollgateSocketAddressHeader'

const state = globalThis as unknown as {
  [socketHeaderMarker]?: string
  __tollgateTrustProxy?: { raw: string | undefined; trust: TrustProxy }
  __tollgateWarnedNoSocketHeader?: boolean
}

/** TRUST_PROXY of this process, parsed once (TrustProxyConfigError when it is malformed). */
export function trustProxyFromEnv(env: NodeJS.ProcessEnv = process.env): TrustProxy {
  const raw = env.TRUST_PROXY
  const cached = state.__tollgateTrustProxy
  if (cached && cached.raw === raw) return cached.trust
  const trust = parseTrustProxy(raw)
  state.__tollgateTrustProxy = { raw, trust }
  return trust
}

/** The address of the client that sent `request`, or null when the server could not tell. */
export function requestClientAddress(request: Request): IpAddress | null {
  const header = state[socketHeaderMarker]
  const forwardedFor = request.headers.get('x-forwarded-for')
  if (!header) {
    if (!state.__tollgateWarnedNoSocketHeader) {
      state.__tollgateWarnedNoSocketHeader = true
      console.warn('Not started through server.mjs (npm start): client addresses come from X-Forwarded-For, which clients can forge.')
    }
    // Next fills X-Forwarded-For from the socket only when the client sent none.
    return parseIpAddress(forwardedFor?.split(',').pop() ?? '')
  }
  const socket = parseIpAddress(request.headers.get(header) ?? '')
  return socket && clientAddress(socket, forwardedFor, trustProxyFromEnv())
}
