// The bench's stack with its server (server.mjs) restarted under `node --cpu-prof`, for the profile scripts:
// `drive` loads it, then the server leaves through SIGINT (which writes the profile) and the stack stops.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startApp } from '@/scripts/app'
import { type Stack, startStack } from '@/test/support/stack'
import type * as CpuProfile from './cpu-profile'

export type Profiled<T> = { value: T; profile: CpuProfile.CpuProfile; profileDir: string }

export async function profileServer<T>(env: Record<string, string>, drive: (stack: Stack) => Promise<T>): Promise<Profiled<T>> {
  const profileDir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-cpuprof-'))
  const stack = await startStack({ env })
  let value: T
  try {
    // --cpu-prof is refused in NODE_OPTIONS: replace the stack's server with one started under it, same port and env.
    const app = stack.apps[0]!
    await app.stop()
    const server = await startApp({
      port: app.port,
      env: stack.env,
      quiet: true,
      nodeOptions: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
    })
    try {
      value = await drive(stack)
    } finally {
      // SIGINT lets the server leave through process.exit, which writes the profile (a long one takes seconds).
      await server.stop('SIGINT', 10_000)
    }
  } finally {
    await stack.stop()
  }
  const files = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))
  // The server is the process that sampled the longest.
  const profiles = files.map((f) => JSON.parse(readFileSync(path.join(profileDir, f), 'utf8')) as CpuProfile.CpuProfile)
  const profile = profiles.sort((a, b) => b.endTime - b.startTime - (a.endTime - a.startTime))[0]
  if (!profile) throw new Error(`no .cpuprofile was written (${files.length} files)`)
  return { value, profile, profileDir }
}
