// Benchmark 1: how fast each server answers an unpaid request. Tollgate's 402 for /l/demo, the
// same bytes from an ungated Next.js route, and the mppx reference server's 402, measured in
// interleaved rounds so background load on a shared machine hits all three alike.
import { processTreeCpuMs } from './cpu-time'
import * as Load from './load'
import { median } from './stats'

/** `pid`: the serving process, whose CPU time (and its children's) is counted per request. */
export type Target = { name: string; url: string; expectedStatus: number; pid?: number }

export type TargetSummary = {
  name: string
  requestsPerSecond: number
  /** Requests per second of each round, in round order. */
  roundRates: number[]
  /** Median server CPU (user + system) per answered request, in microseconds; NaN without a pid or /proc. */
  cpuUsPerRequest: number
  p50Ms: number
  p99Ms: number
  /** Responses on the wrong side of 2xx/3xx, over all rounds. */
  wrongStatus: number
  /** Requests that got no response (connect/read/write errors, wrk's 2 s timeout), over all rounds. */
  socketErrors: number
  /** Size of one response: body bytes and header bytes (names + values). */
  bodyBytes: number
  headerBytes: number
}

export type IssuanceOptions = { concurrency: number; durationMs: number; rounds: number; warmupMs: number; engine: Load.Engine }

export class ProbeError extends Error {
  override name = 'ProbeError'
}

async function probe(target: Target): Promise<{ body: Buffer; headerBytes: number }> {
  const response = await fetch(target.url, { headers: { accept: 'application/json' } })
  const body = Buffer.from(await response.arrayBuffer())
  if (response.status !== target.expectedStatus)
    throw new ProbeError(`${target.name} answered ${response.status}, expected ${target.expectedStatus}: ${body.toString().slice(0, 200)}`)
  let headerBytes = 0
  response.headers.forEach((value, name) => {
    headerBytes += name.length + value.length
  })
  return { body, headerBytes }
}

/** 1 - a/b per round (a and b ran back to back in it), as the median and each round's value: load that changes between rounds cancels out. */
export function pairedCost(a: TargetSummary, b: TargetSummary): { median: number; rounds: number[] } {
  const rounds = a.roundRates.map((rate, i) => 1 - rate / b.roundRates[i]!)
  return { median: median(rounds), rounds }
}

/** Checks that the baseline really serves the gated route's bytes, then measures every target. */
export async function measure(targets: Target[], options: IssuanceOptions, sameBytes: Array<[string, string]>): Promise<TargetSummary[]> {
  const probes = new Map<string, { body: Buffer; headerBytes: number }>()
  for (const target of targets) probes.set(target.name, await probe(target))
  for (const pair of sameBytes) {
    const [a, b] = pair.map((name) => probes.get(name)!.body)
    if (!a!.equals(b!)) throw new ProbeError(`${pair[0]} and ${pair[1]} do not return the same body bytes`)
  }

  for (const target of targets)
    await Load.run({ url: target.url, concurrency: options.concurrency, durationMs: options.warmupMs }, options.engine)

  const rounds = new Map<string, Array<Load.LoadResult & { cpuUsPerRequest: number }>>(targets.map((t) => [t.name, []]))
  for (let round = 0; round < options.rounds; round++) {
    // Rotate the order each round so no target always runs first or last.
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!)
    for (const target of order) {
      const cpuBefore = target.pid === undefined ? null : processTreeCpuMs(target.pid)
      const result = await Load.run({ url: target.url, concurrency: options.concurrency, durationMs: options.durationMs }, options.engine)
      const cpuAfter = target.pid === undefined ? null : processTreeCpuMs(target.pid)
      const cpuUsPerRequest =
        cpuBefore === null || cpuAfter === null || result.requests === 0 ? Number.NaN : ((cpuAfter - cpuBefore) * 1000) / result.requests
      rounds.get(target.name)!.push({ ...result, cpuUsPerRequest })
    }
  }

  return targets.map((target) => {
    const results = rounds.get(target.name)!
    // The probe checked the exact status; under load, count answers on the wrong side of 2xx/3xx.
    const wrongClass = (r: Load.LoadResult) => (target.expectedStatus >= 400 ? r.requests - r.non2xx : r.non2xx)
    const wrongStatus = results.reduce((sum, r) => sum + wrongClass(r), 0)
    const socketErrors = results.reduce((sum, r) => sum + r.errors, 0)
    const { body, headerBytes } = probes.get(target.name)!
    return {
      name: target.name,
      requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
      roundRates: results.map((r) => r.requestsPerSecond),
      cpuUsPerRequest: median(results.map((r) => r.cpuUsPerRequest)),
      p50Ms: median(results.map((r) => r.p50Ms)),
      p99Ms: median(results.map((r) => r.p99Ms)),
      wrongStatus,
      socketErrors,
      bodyBytes: body.length,
      headerBytes,
    }
  })
}
