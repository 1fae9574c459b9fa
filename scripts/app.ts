// Builds and starts the Next.js production server (used by the demo and the test harness).
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { assetsFolder } from '@/lib/checkout/page/assets'

export const rootDir = path.resolve(import.meta.dirname, '..')
const nextBin = path.join(rootDir, 'node_modules', 'next', 'dist', 'bin', 'next')
/** `npm start`: Next's handler behind the server that records socket addresses (server.mjs). */
export const serverScript = path.join(rootDir, 'server.mjs')
const SOURCE_DIRS = ['app', 'components', 'lib', 'public']
const SOURCE_FILES = [
  'next.config.mjs',
  'package.json',
  'tsconfig.json',
  'instrumentation.ts',
  'proxy.ts',
  'scripts/build-checkout.ts',
  'scripts/build-fast-path.ts',
]

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0
  const stat = statSync(target)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const name of readdirSync(target)) {
    if (name === 'node_modules' || name.startsWith('.')) continue
    newest = Math.max(newest, newestMtime(path.join(target, name)))
  }
  return newest
}

/** True when the build folder is missing or older than any source file. */
export function distDir(): string {
  return path.join(rootDir, process.env.NEXT_DIST_DIR || '.next')
}

export function buildIsStale(): boolean {
  const buildId = path.join(distDir(), 'BUILD_ID')
  if (!existsSync(buildId) || !existsSync(path.join(distDir(), assetsFolder, 'manifest.json'))) return true
  if (!existsSync(path.join(distDir(), 'fast-path', 'link.mjs'))) return true
  const built = statSync(buildId).mtimeMs
  return [...SOURCE_DIRS, ...SOURCE_FILES].some((p) => newestMtime(path.join(rootDir, p)) > built)
}

/** `npm run build`: next build, then the checkout's own bundle into the same build folder. */
export function ensureBuild(options: { force?: boolean } = {}): void {
  if (!options.force && !buildIsStale()) return
  console.log('Building the app (next build)…')
  const result = spawnSync(process.execPath, [nextBin, 'build'], {
    cwd: rootDir,
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  })
  if (result.status !== 0) throw new Error('next build failed')
  const checkout = spawnSync(process.execPath, ['--import', 'tsx', path.join(rootDir, 'scripts', 'build-checkout.ts')], {
    cwd: rootDir,
    stdio: 'inherit',
    env: process.env,
  })
  if (checkout.status !== 0) throw new Error('the checkout bundle failed to build')
  const fastPath = spawnSync(process.execPath, ['--import', 'tsx', path.join(rootDir, 'scripts', 'build-fast-path.ts')], {
    cwd: rootDir,
    stdio: 'inherit',
    env: process.env,
  })
  if (fastPath.status !== 0) throw new Error('the fast path bundle failed to build')
}

export type RunningApp = {
  url: string
  port: number
  pid: number
  /** Sends `signal`, and SIGKILL if the server has not exited after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>
  logs(): string
}

/**
 * Starts the production server (`npm start`, server.mjs) on 127.0.0.1:port with the given environment
 * and waits until it answers. `nodeOptions` go to node before the script (e.g. --cpu-prof).
 */
export async function startApp(options: {
  port: number
  env: Record<string, string>
  quiet?: boolean
  nodeOptions?: string[]
}): Promise<RunningApp> {
  const child = spawn(process.execPath, [...(options.nodeOptions ?? []), serverScript], {
    cwd: rootDir,
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_ENV: 'production',
      ...options.env,
      HOST: '127.0.0.1',
      PORT: String(options.port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const collect = (chunk: Buffer) => {
    output += chunk.toString()
    if (output.length > 200_000) output = output.slice(-100_000)
    if (!options.quiet) process.stdout.write(chunk)
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  const url = `http://127.0.0.1:${options.port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output}`)
    try {
      const res = await fetch(`${url}/api/health`)
      if (res.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`the server did not answer within 60 s:\n${output}`)
    }
    await new Promise((r) => setTimeout(r, 150))
  }
  return {
    url,
    port: options.port,
    pid: child.pid!,
    logs: () => output,
    stop: async (signal = 'SIGTERM', graceMs = 5_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.kill(signal)
      await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs))])
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    },
  }
}
