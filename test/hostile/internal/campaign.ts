// Runs a fuzz campaign over HTTP: draws `runs` cases from a fast-check arbitrary (reproducible from
// the printed seed), sends them with a few requests in flight on kept-alive connections, and keeps
// every 5xx with the case that caused it. Sampling instead of fc.assert trades shrinking for the
// concurrency that makes 10,000 HTTP cases per entry point affordable.
import fc from 'fast-check'

/** Cases per entry point: the issue's bar by default; FUZZ_RUNS lowers it for local runs. */
export const fuzzRuns = Number(process.env.FUZZ_RUNS ?? 10_000)

export type Sent = { status: number; body: string }
export type ServerError = { input: unknown; status: number; body: string }
export type CampaignResult = {
  seed: number
  runs: number
  statuses: Record<number, number>
  serverErrors: ServerError[]
  unsent: string[]
  seconds: number
}

export async function campaign<T>(options: {
  name: string
  arbitrary: fc.Arbitrary<T>
  send: (input: T) => Promise<Sent>
  runs?: number
  concurrency?: number
  seed?: number
}): Promise<CampaignResult> {
  const runs = options.runs ?? fuzzRuns
  const seed = options.seed ?? Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31))
  const cases = fc.sample(options.arbitrary, { numRuns: runs, seed })
  const statuses: Record<number, number> = {}
  const serverErrors: ServerError[] = []
  /** Why fetch refused to send a case (status 0): a header value it cannot encode, never a server answer. */
  const unsent = new Set<string>()
  const started = Date.now()
  let next = 0
  await Promise.all(
    Array.from({ length: options.concurrency ?? 8 }, async () => {
      for (let i = next++; i < cases.length; i = next++) {
        const input = cases[i]!
        const sent = await options.send(input)
        statuses[sent.status] = (statuses[sent.status] ?? 0) + 1
        if (sent.status >= 500 && serverErrors.length < 20) serverErrors.push({ input, status: sent.status, body: sent.body.slice(0, 500) })
        if (sent.status === 0) unsent.add(sent.body.slice(0, 120))
      }
    }),
  )
  const seconds = (Date.now() - started) / 1000
  console.log(
    `# ${options.name}: ${runs} cases in ${seconds.toFixed(1)} s (seed ${seed}); statuses ${JSON.stringify(statuses)}${unsent.size ? `; unsent: ${[...unsent].join(' | ')}` : ''}`,
  )
  return { seed, runs, statuses, serverErrors, unsent: [...unsent], seconds }
}

/** The assertion message for a campaign that hit 5xx: the first cases, and how to replay them. */
export function describeServerErrors(result: CampaignResult): string {
  const shown = result.serverErrors.slice(0, 3).map((e) => `${e.status} for ${safeJson(e.input).slice(0, 600)}\n  -> ${e.body}`)
  return `${result.serverErrors.length}+ server errors (replay with FUZZ_SEED=${result.seed}):\n${shown.join('\n')}`
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value)
  } catch {
    return String(value)
  }
}
