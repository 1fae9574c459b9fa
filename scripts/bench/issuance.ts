// Benchmark 1: how fast each server answers an unpaid request. Tollgate's 402 for /l/demo, the
// same bytes from an ungated Next.js route, and the mppx reference server's 402, measured in
// interleaved rounds so background load on a shared machine hits all three alike.
import * as Load from './load'
import { median } from './stats'

export type Target = { name: string; url: string; expectedStatus: number }

export type TargetSummary = {
  name: string
  requestsPerSecond: number
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
  if (response.status !== target.expectedStatus) throw new ProbeError(`${target.name} answered ${response.status}, expected ${target.expectedStatus}: ${body.toString().slice(0, 200)}`)
  let headerBytes = 0
  response.headers.forEach((value, name) => {
    headerBytes += name.length + value.length
  })
  return { body, headerBytes }
}

/** Checks that the baseline really serves the gated route's bytes, then measures every target. */
export async function measure(targets: Target[], options: IssuanceOptions, sameBytes: [string, string]): Promise<TargetSummary[]> {
  const probes = new Map<string, { body: Buffer; headerBytes: number }>()
  for (const target of targets) probes.set(target.name, await probe(target))
  const [a, b] = sameBytes.map((name) => probes.get(name)!.body)
  if (!a!.equals(b!)) throw new ProbeError(`${sameBytes[0]} and ${sameBytes[1]} do not return the same body bytes`)

  for (const target of targets) await Load.run({ url: target.url, concurrency: options.concurrency, durationMs: options.warmupMs }, options.engine)

  const rounds = new Map<string, Load.LoadResult[]>(targets.map((t) => [t.name, []]))
  for (let round = 0; round < options.rounds; round++) {
    // Rotate the order each round so no target always runs first or last.
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!)
    for (const target of order) rounds.get(target.name)!.push(await Load.run({ url: target.url, concurrency: options.concurrency, durationMs: options.durationMs }, options.engine))
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
      p50Ms: median(results.map((r) => r.p50Ms)),
      p99Ms: median(results.map((r) => r.p99Ms)),
      wrongStatus,
      socketErrors,
      bodyBytes: body.length,
      headerBytes,
    }
  })
}
