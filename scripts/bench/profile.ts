// `npx tsx scripts/bench/profile.ts [--paths=/l/demo,/api/bench/unpriced] [--seconds=5] [--rounds=2] [--top=40]
// [--callers=name] [--keep]`: starts the bench's stack with its server (server.mjs) under `node --cpu-prof`, drives each path
// with the bench's load generator in interleaved rounds, stops the server and prints where its CPU went per
// path (self and total time per function, µs per request), then what the first path spends beyond the second.
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { rootDir, serverScript } from '@/scripts/app'
import { startStack } from '@/test/support/stack'
import * as CpuProfile from './cpu-profile'
import * as Load from './load'

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
  const profileDir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-cpuprof-'))
  const stack = await startStack({
    env: { TOLLGATE_BENCH: '1', RATE_LIMIT_CHALLENGES_PER_MINUTE: '1000000000', RATE_LIMIT_CREDENTIALS_PER_MINUTE: '1000000000' },
  })
  const runs: Run[] = []
  try {
    // --cpu-prof is refused in NODE_OPTIONS: replace the stack's server with one started under it, same port and env.
    const app = stack.apps[0]!
    await app.stop()
    const server = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, serverScript], {
      cwd: rootDir,
      env: {
        ...process.env,
        NEXT_TELEMETRY_DISABLED: '1',
        NODE_ENV: 'production',
        ...stack.env,
        HOST: '127.0.0.1',
        PORT: String(app.port),
      },
      stdio: 'ignore',
    })
    const exited = new Promise((resolve) => server.once('exit', resolve))
    try {
      await waitForHealth(stack.url)
      const engine = Load.defaultEngine()
      for (const p of paths) await Load.run({ url: `${stack.url}${p}`, concurrency: 32, durationMs: 2_000 }, engine)
      for (let round = 0; round < rounds; round++) {
        for (const p of round % 2 === 0 ? paths : [...paths].reverse()) {
          const fromUs = nowUs()
          const result = await Load.run({ url: `${stack.url}${p}`, concurrency: 32, durationMs: seconds * 1000 }, engine)
          runs.push({ path: p, window: { fromUs, toUs: nowUs() }, result })
        }
      }
    } finally {
      // SIGINT lets the server leave through process.exit, which writes the profile.
      server.kill('SIGINT')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL')
    }
  } finally {
    await stack.stop()
  }
  const files = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))
  // The server is the process that sampled the longest.
  const profiles = files.map((f) => JSON.parse(readFileSync(path.join(profileDir, f), 'utf8')) as CpuProfile.CpuProfile)
  const profile = profiles.sort((a, b) => b.endTime - b.startTime - (a.endTime - a.startTime))[0]
  if (!profile) throw new Error(`no .cpuprofile was written (${files.length} files)`)

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

async function waitForHealth(baseUrl: string): Promise<void> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    const ok = await fetch(`${baseUrl}/api/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) return
    await new Promise((r) => setTimeout(r, 150))
  }
  throw new Error('the profiled server did not answer within 60 s')
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
