// Fixed-window counters per client, per process. Safe when per-process: with N instances a
// client gets at most N times the limit, and no payment correctness depends on it.
export type RateLimitResult = { allowed: true } | { allowed: false; retryAfterSeconds: number }

const WINDOW_MS = 60_000
const MAX_TRACKED_CLIENTS = 50_000

export class RateLimiter {
  private windowStart = 0
  private counts = new Map<string, number>()

  constructor(private readonly limitPerMinute: number) {}

  hit(client: string, now: number = Date.now()): RateLimitResult {
    const window = now - (now % WINDOW_MS)
    if (window !== this.windowStart || this.counts.size > MAX_TRACKED_CLIENTS) {
      this.windowStart = window
      this.counts = new Map()
    }
    const count = (this.counts.get(client) ?? 0) + 1
    this.counts.set(client, count)
    if (count <= this.limitPerMinute) return { allowed: true }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window + WINDOW_MS - now) / 1000)) }
  }
}

/**
 * The client's address. `next start` fills `x-forwarded-for` from the socket when the request has
 * none; behind a load balancer, configure it to overwrite (not append to) that header.
 */
export function clientKey(request: Request): string {
  return request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() || 'unknown'
}
