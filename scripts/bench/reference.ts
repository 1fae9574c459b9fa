// Starts the mppx reference server (reference-server.ts) as a child process and stops it by PID.
import { spawn } from 'node:child_process'
import path from 'node:path'
import type { ReferenceConfig } from './reference-server'

export type ReferenceServer = { url: string; pid: number; stop(): Promise<void> }

export class ReferenceStartError extends Error {
  override name = 'ReferenceStartError'
}

export async function start(config: ReferenceConfig, secretKey: string): Promise<ReferenceServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'reference-server.ts')], {
    env: { ...process.env, NODE_ENV: 'production', BENCH_REFERENCE_CONFIG: JSON.stringify(config), MPP_SECRET_KEY: secretKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000)
  })
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3_000))])
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = ''
    const timer = setTimeout(
      () => reject(new ReferenceStartError(`the mppx reference server did not start within 30 s\n${stderr}`)),
      30_000,
    )
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const line = stdout.split('\n').find((l) => l.startsWith('{'))
      if (!line) return
      clearTimeout(timer)
      resolve((JSON.parse(line) as { url: string }).url)
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new ReferenceStartError(`the mppx reference server exited with ${code}\n${stderr}`))
    })
  }).catch(async (error: unknown) => {
    await stop()
    throw error
  })
  return { url, pid: child.pid!, stop }
}
