// The outbound policy: whether merchants may reach non-public addresses (ALLOW_PRIVATE_UPSTREAMS=1,
// for local demos and tests) and how host names are resolved. Checked when a merchant saves a URL
// and again on every connection, since a name can resolve elsewhere by then.
import * as AddressPolicy from './address-policy'
import * as IpAddress from './ip-address'
import { HostNotFoundError, resolveWith, systemResolve, type Resolve } from './resolve-host'

export type OutboundPolicy = {
  /** The operator lets merchants reach loopback, private and other non-public addresses. */
  allowPrivate: boolean
  resolve: Resolve
}

const suffix = ': Tollgate connects only to public addresses'

let cached: { key: string; policy: OutboundPolicy } | null = null

/** ALLOW_PRIVATE_UPSTREAMS (1/true: allow) and UPSTREAM_DNS_SERVERS (comma-separated; default: the system resolver). */
export function outboundPolicyFromEnv(env: Record<string, string | undefined> = process.env): OutboundPolicy {
  const allow = (env.ALLOW_PRIVATE_UPSTREAMS ?? '').trim().toLowerCase()
  const servers = (env.UPSTREAM_DNS_SERVERS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const key = `${allow}|${servers.join(',')}`
  if (cached?.key === key) return cached.policy
  let resolve = systemResolve
  if (servers.length > 0) {
    try {
      resolve = resolveWith(servers)
    } catch {
      throw new Error('UPSTREAM_DNS_SERVERS must list DNS servers as host or host:port, separated by commas')
    }
  }
  const policy = { allowPrivate: allow === '1' || allow === 'true', resolve }
  cached = { key, policy }
  return policy
}

export type HostCheck = { refusal: string } | { address: IpAddress.IpAddress } | { name: string }

/** What can be said of a URL's hostname without resolving it. */
export function checkHostName(hostname: string, policy: OutboundPolicy): HostCheck {
  const address = IpAddress.parse(hostname)
  if (policy.allowPrivate) return address ? { address } : { name: hostname }
  if (address) {
    const reason = AddressPolicy.nonPublicReason(address)
    return reason ? { refusal: `${hostname} is ${reason} address${suffix}` } : { address }
  }
  const named = AddressPolicy.nonPublicHostName(hostname)
  return named ? { refusal: `${named}${suffix}` } : { name: hostname }
}

/** The refusal for a name that resolved to `addresses`: every one of them must be public. */
export function checkResolved(hostname: string, addresses: string[], policy: OutboundPolicy): string | null {
  if (policy.allowPrivate) return null
  for (const text of addresses) {
    const address = IpAddress.parse(text)
    if (!address) return `${hostname} resolves to an address Tollgate cannot read${suffix}`
    const reason = AddressPolicy.nonPublicReason(address)
    if (reason) return `${hostname} resolves to ${text}, ${reason} address${suffix}`
  }
  return null
}

/**
 * Why Tollgate would refuse to connect to `url` now, or null. A name that does not resolve is not
 * refused here (it may before long); the connection checks again in any case.
 */
export async function refusalFor(url: URL, policy: OutboundPolicy): Promise<string | null> {
  const host = checkHostName(url.hostname, policy)
  if ('refusal' in host) return host.refusal
  if ('address' in host || policy.allowPrivate) return null
  try {
    return checkResolved(host.name, await policy.resolve(host.name), policy)
  } catch (error) {
    if (error instanceof HostNotFoundError) return null
    throw error
  }
}
