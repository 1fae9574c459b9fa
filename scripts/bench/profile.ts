// `npx tsx scripts/bench/profile.ts [--paths=/l/demo,/api/bench/unpriced] [--seconds=5] [--rounds=2] [--top=40]
// [--callers=name] [--keep]`: starts the bench's stack with its server (server.mjs) under `node --cpu-prof`, drives each path
// with the bench's load generator in interleaved rounds, stops the server and prints where its CPU went per
// path (self and total time per function, µs per request), then what the first path spends beyond the second.
import { rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import * as CpuProfile from './cpu-profile'
import * as Load from './load'
import { profileServer } from './profiled-server'

const args = process.argv.slice(2)
const option = (name: string, fallback: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback
const paths = option('paths', '/l/demo,/api/bench/unpriced').split(',')
const seconds = Number(option('seconds', '5'))
const rounds = Number(option('rounds', '2'))
const top = Number(option('top', '40'))
const focus = option('callers', '')
const keep = args.includes('--keep')

type Run = { path: string; window: CpuProfile.Window; result: Load.LoadResult }

const nowUs = () => Number(process.hrtime.bigint() / 1000n)

async function main() {
  const runs: Run[] = []
  const { profile, profileDir } = await profileServer(
    { TOLLGATE_BENCH: '1', RATE_LIMIT_CHALLENGES_PER_MINUTE: '1000000000', RATE_LIMIT_CREDENTIALS_PER_MINUTE: '1000000000' },
    async (stack) => {
      const engine = Load.defaultEngine()
      for (const p of paths) await Load.run({ url: `${stack.url}${p}`, concurrency: 32, durationMs: 2_000 }, engine)
      for (let round = 0; round < rounds; round++) {
        for (const p of round % 2 === 0 ? paths : [...paths].reverse()) {
          const fromUs = nowUs()
          const result = await Load.run({ url: `${stack.url}${p}`, concurrency: 32, durationMs: seconds * 1000 }, engine)
          runs.push({ path: p, window: { fromUs, toUs: nowUs() }, result })
        }
      }
    },
  )

  const perPath = paths.map((p) => {
    const mine = runs.filter((r) => r.path === p)
    const requests = mine.reduce((sum, r) => sum + r.result.requests, 0)
    const summaries = mine.map((r) => CpuProfile.summarize(profile, r.window))
    return { path: p, runs: mine, requests, summary: CpuProfile.merge(summaries) }
  })
  for (const p of perPath) {
    const rates = p.runs.map((r) => `${r.result.requestsPerSecond.toFixed(0)}`).join(', ')
    console.log(
      `\n=== ${p.path}: ${rates} req/s in ${p.runs.length} rounds, ${p.requests} requests (${p.runs.reduce((s, r) => s + r.result.errors, 0)} socket errors)`,
    )
    console.log(CpuProfile.report(p.summary, top, p.requests))
    if (focus) {
      const chains = p.runs.map((r) => CpuProfile.callers(profile, focus, { window: r.window })).join('\n\n')
      console.log(`\ncallers of ${focus}:\n${chains}`)
    }
  }
  if (perPath.length >= 2)
    console.log(`\n=== ${perPath[0]!.path} beyond ${perPath[1]!.path}\n${CpuProfile.difference(perPath[0]!, perPath[1]!, top)}`)
  if (keep) {
    writeFileSync(
      path.join(profileDir, 'runs.json'),
      JSON.stringify(runs.map((r) => ({ path: r.path, window: r.window, requests: r.result.requests }))),
    )
    console.log(`\nprofile and load windows (runs.json) kept in ${profileDir}`)
  } else rmSync(profileDir, { recursive: true, force: true })
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
