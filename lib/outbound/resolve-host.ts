// Host name -> addresses, the seam of the outbound policy: the system resolver by default, or the DNS
// servers the operator names in UPSTREAM_DNS_SERVERS (tests point it at a DNS server they control).
import dns from 'node:dns'

export type Resolve = (hostname: string) => Promise<string[]>

/** A name that has no address (or whose lookup failed): connecting to it cannot succeed either. */
export class HostNotFoundError extends Error {
  override name = 'HostNotFoundError'
  constructor(hostname: string) {
    super(`${hostname} does not resolve`)
  }
}

const LOOKUP_TIMEOUT_MS = 5_000

/** getaddrinfo, as every other connection of this process resolves (hosts file included). */
export const systemResolve: Resolve = (hostname) =>
  withTimeout(
    dns.promises.lookup(hostname, { all: true, verbatim: true }).then(
      (answers) => answers.map((a) => a.address),
      () => {
        throw new HostNotFoundError(hostname)
      },
    ),
    hostname,
  )

/** A resolver asking these servers (`host` or `host:port`, IPv6 in brackets) for A and AAAA records. */
export function resolveWith(servers: string[]): Resolve {
  const resolver = new dns.promises.Resolver({ timeout: 2_000, tries: 2 })
  resolver.setServers(servers)
  return async (hostname) => {
    const answers = await withTimeout(
      Promise.all([resolver.resolve4(hostname).catch(() => []), resolver.resolve6(hostname).catch(() => [])]),
      hostname,
    )
    const addresses = answers.flat()
    if (addresses.length === 0) throw new HostNotFoundError(hostname)
    return addresses
  }
}

function withTimeout<T>(promise: Promise<T>, hostname: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HostNotFoundError(hostname)), LOOKUP_TIMEOUT_MS)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
