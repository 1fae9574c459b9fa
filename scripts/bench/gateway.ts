// Benchmark 5: what the paid API gateway costs on a call that needs no payment. The same upstream is
// called directly and through a service link's free route (/l/{slug}/free/…: link lookup, pricing,
// header policy, a fresh checked connection, streaming back), in interleaved rounds of closed-loop load.
// Printed, never asserted.
import { startUpstream } from '@/scripts/upstream'
import * as Load from './load'
import { median } from './stats'

export type GatewaySummary = { name: string; requestsPerSecond: number; p50Ms: number; p99Ms: number; wrongStatus: number; errors: number }

export type GatewayOptions = { concurrency: number; durationMs: number; rounds: number; warmupMs: number; engine: Load.Engine }

/** Creates the free-route service link through the dashboard API; returns the gateway URL. */
export type CreateServiceLink = (upstreamUrl: string) => Promise<string>

export async function measure(
  createLink: CreateServiceLink,
  options: GatewayOptions,
): Promise<{ gateway: GatewaySummary; direct: GatewaySummary }> {
  const upstream = await startUpstream()
  try {
    const gatewayUrl = await createLink(upstream.url)
    const targets = [
      { name: 'gateway', url: `${gatewayUrl}/free/quote` },
      { name: 'direct', url: `${upstream.url}/free/quote` },
    ]
    for (const target of targets) {
      const response = await fetch(target.url)
      if (response.status !== 200) throw new Error(`${target.name} answered ${response.status}: ${(await response.text()).slice(0, 200)}`)
      await response.arrayBuffer()
      await Load.run({ url: target.url, concurrency: options.concurrency, durationMs: options.warmupMs }, options.engine)
    }
    const results = new Map<string, Load.LoadResult[]>(targets.map((t) => [t.name, []]))
    for (let round = 0; round < options.rounds; round++)
      for (const target of round % 2 === 0 ? targets : [...targets].reverse())
        results
          .get(target.name)!
          .push(await Load.run({ url: target.url, concurrency: options.concurrency, durationMs: options.durationMs }, options.engine))
    const summary = (name: string): GatewaySummary => {
      const runs = results.get(name)!
      return {
        name,
        requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
        p50Ms: median(runs.map((r) => r.p50Ms)),
        p99Ms: median(runs.map((r) => r.p99Ms)),
        wrongStatus: runs.reduce((sum, r) => sum + r.non2xx, 0),
        errors: runs.reduce((sum, r) => sum + r.errors, 0),
      }
    }
    return { gateway: summary('gateway'), direct: summary('direct') }
  } finally {
    await upstream.stop()
  }
}
