// Fixed-window counters per client, per process. Safe when per-process: with N instances a
// client gets at most N times the limit, and no payment correctness depends on it.
import { requestClientAddress } from '@/lib/http/client-address'
import { ipv6Network64 } from '@/lib/http/ip-address'

export type RateLimitResult = { allowed: true } | { allowed: false; retryAfterSeconds: number }

const WINDOW_MS = 60_000
const MAX_TRACKED_CLIENTS = 50_000
/** How many of the oldest counters one eviction looks at for one that is not over its limit. */
const EVICTION_SCAN = 16

export class RateLimiter {
  private windowStart = 0
  // Insertion order is first-seen order within the window: the oldest counters are evicted first.
  private counts = new Map<string, number>()

  constructor(
    private readonly limitPerMinute: number,
    private readonly maxClients: number = MAX_TRACKED_CLIENTS,
  ) {}

  hit(client: string, now: number = Date.now()): RateLimitResult {
    const window = now - (now % WINDOW_MS)
    if (window !== this.windowStart) {
      this.windowStart = window
      this.counts = new Map()
    }
    const previous = this.counts.get(client)
    if (previous === undefined && this.counts.size >= this.maxClients) this.evictOne()
    const count = (previous ?? 0) + 1
    this.counts.set(client, count)
    if (count <= this.limitPerMinute) return { allowed: true }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window + WINDOW_MS - now) / 1000)) }
  }

  /** Clients counted in this window (at most maxClients). */
  get size(): number {
    return this.counts.size
  }

  /**
   * Makes room for one new client. A client at or over its limit is kept (moved to the back) in favour
   * of one below it, so a flood of new addresses cannot free a limited client early; only when every
   * counter looked at is at its limit does the oldest go.
   */
  private evictOne(): void {
    let scanned = 0
    for (const [key, count] of this.counts) {
      if (count < this.limitPerMinute || ++scanned > EVICTION_SCAN) {
        this.counts.delete(key)
        return
      }
      this.counts.delete(key)
      this.counts.set(key, count)
    }
  }
}

/**
 * The rate-limit key of the client behind `request` (lib/http/client-address: the socket's address
 * unless TRUST_PROXY names the proxies in front). IPv6 clients count per /64, the block one
 * subscriber usually holds, so rotating addresses within it does not buy a fresh limit.
 */
export function clientKey(request: Request): string {
  const address = requestClientAddress(request)
  if (!address) return 'unknown'
  return address.version === 6 ? ipv6Network64(address) : address.text
}
