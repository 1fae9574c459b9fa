// Starts and stops a local anvil node from the @foundry-rs/anvil npm package.
// The platform binary is spawned directly (not the node wrapper) so stopping by PID stops the node.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import path from 'node:path'

export type Anvil = {
  rpcUrl: string
  port: number
  chainId: number
  pid: number
  /** Stops the node (SIGTERM, then SIGKILL after a grace period) and resolves once it exited. */
  stop(): Promise<void>
}

export type StartAnvilOptions = {
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port?: number
  chainId?: number
  /** Milliseconds to wait for the node to answer JSON-RPC. */
  timeoutMs?: number
  /** Extra command-line arguments, e.g. ['--no-mining']. */
  args?: string[]
}

export class PortInUseError extends Error {
  override name = 'PortInUseError'
  constructor(readonly port: number) {
    super(`Port ${port} on 127.0.0.1 is already in use. Stop whatever is listening there or set ANVIL_PORT to a free port.`)
  }
}

export class AnvilStartError extends Error {
  override name = 'AnvilStartError'
}

const platformPackages: Record<string, string> = {
  'linux-x64': '@foundry-rs/anvil-linux-amd64',
  'linux-arm64': '@foundry-rs/anvil-linux-arm64',
  'darwin-x64': '@foundry-rs/anvil-darwin-amd64',
  'darwin-arm64': '@foundry-rs/anvil-darwin-arm64',
  'win32-x64': '@foundry-rs/anvil-win32-amd64',
}

/** Path of the anvil binary shipped by the platform package of @foundry-rs/anvil. */
export function anvilBinaryPath(): string {
  const packageName = platformPackages[`${process.platform}-${process.arch}`]
  if (!packageName) throw new AnvilStartError(`anvil has no binary package for ${process.platform}-${process.arch}`)
  const require = createRequire(import.meta.url)
  let packageJson: string
  try {
    packageJson = require.resolve(`${packageName}/package.json`)
  } catch {
    throw new AnvilStartError(`${packageName} is not installed; run npm install (it is an optional dependency of @foundry-rs/anvil)`)
  }
  const binary = path.join(path.dirname(packageJson), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil')
  if (!existsSync(binary)) throw new AnvilStartError(`anvil binary missing at ${binary}`)
  return binary
}

/** Resolves to a port on 127.0.0.1 that was free a moment ago. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Rejects with PortInUseError when something already listens on 127.0.0.1:port. */
export function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()))
  })
}

async function answersChainId(rpcUrl: string): Promise<number | undefined> {
  try {
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(1_000),
    })
    const body = (await response.json()) as { result?: string }
    return body.result ? Number(body.result) : undefined
  } catch {
    return undefined
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

/** Starts anvil on 127.0.0.1 and resolves once it answers eth_chainId with the expected chain. */
export async function startAnvil(options: StartAnvilOptions = {}): Promise<Anvil> {
  const chainId = options.chainId ?? 31337
  const timeoutMs = options.timeoutMs ?? 15_000
  const port = options.port === undefined || options.port === 0 ? await findFreePort() : options.port
  await assertPortFree(port)

  const rpcUrl = `http://127.0.0.1:${port}`
  const child = spawn(
    anvilBinaryPath(),
    ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(chainId), '--silent', ...(options.args ?? [])],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000)
  })
  const spawnFailure = new Promise<Error>((resolve) => child.once('error', resolve))
  // Never leave a node behind when this process exits without calling stop().
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  child.once('exit', () => process.removeListener('exit', killOnExit))

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    if (!(await waitForExit(child, 3_000))) {
      child.kill('SIGKILL')
      await waitForExit(child, 3_000)
    }
  }

  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const failure = await Promise.race([spawnFailure, new Promise<undefined>((r) => setTimeout(r, 50))])
    if (failure) throw new AnvilStartError(`could not start anvil: ${failure.message}`)
    if (child.exitCode !== null || child.signalCode !== null) {
      const portTaken = /address already in use|in use/i.test(stderr)
      if (portTaken) throw new PortInUseError(port)
      throw new AnvilStartError(`anvil exited (${child.exitCode ?? child.signalCode}) before answering: ${stderr.trim()}`)
    }
    const answered = await answersChainId(rpcUrl)
    if (answered !== undefined) {
      if (answered !== chainId) {
        await stop()
        throw new AnvilStartError(`the node on ${rpcUrl} answered chain ${answered}, expected ${chainId}`)
      }
      return { rpcUrl, port, chainId, pid: child.pid ?? -1, stop }
    }
  }
  await stop()
  throw new AnvilStartError(`anvil did not answer on ${rpcUrl} within ${timeoutMs} ms: ${stderr.trim()}`)
}
