// Closed-loop HTTP load: `concurrency` keep-alive connections send GETs back to back for a fixed
// time. Uses wrk when it is installed (it costs the 2-core machine less CPU than a Node client);
// otherwise a small in-process generator, so the bench runs anywhere.
import { execFile, spawnSync } from 'node:child_process'
import http from 'node:http'
import { percentile } from './stats'

export type LoadOptions = {
  url: string
  concurrency: number
  durationMs: number
  headers?: Record<string, string>
}

export type LoadResult = {
  requests: number
  requestsPerSecond: number
  /** Responses with a status outside 200-399 (wrk's "Non-2xx or 3xx responses"). */
  non2xx: number
  p50Ms: number
  p99Ms: number
  /** Requests that got no response (socket errors). */
  errors: number
}

export type Engine = 'wrk' | 'node'

/** wrk when it is on the PATH, else the in-process generator. */
export function defaultEngine(): Engine {
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error ? 'node' : 'wrk'
}

export class LoadError extends Error {
  override name = 'LoadError'
}

function get(agent: http.Agent, url: URL, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'GET', agent, headers }, (response) => {
      response.on('data', () => {})
      response.on('end', () => resolve(response.statusCode ?? 0))
      response.on('error', reject)
    })
    request.on('error', reject)
    request.end()
  })
}

export function run(options: LoadOptions, engine: Engine): Promise<LoadResult> {
  return engine === 'wrk' ? runWrk(options) : runNode(options)
}

async function runNode(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url)
  if (url.protocol !== 'http:') throw new LoadError('the load generator speaks plain HTTP to loopback only')
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency })
  const headers = { accept: 'application/json', ...options.headers }
  const latencies: number[] = []
  let non2xx = 0
  let errors = 0
  const started = performance.now()
  const deadline = started + options.durationMs

  async function worker() {
    while (performance.now() < deadline) {
      const sent = performance.now()
      try {
        const status = await get(agent, url, headers)
        latencies.push(performance.now() - sent)
        if (status < 200 || status > 399) non2xx++
      } catch {
        errors++
      }
    }
  }

  await Promise.all(Array.from({ length: options.concurrency }, worker))
  const elapsedSeconds = (performance.now() - started) / 1000
  agent.destroy()
  return {
    requests: latencies.length,
    requestsPerSecond: latencies.length / elapsedSeconds,
    non2xx,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors,
  }
}

const timeUnitsMs: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 }

/** Parses wrk's report (run with --latency). */
export function parseWrk(output: string): LoadResult {
  const requests = /(\d+) requests in/.exec(output)
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(output)
  if (!requests || !rate) throw new LoadError(`unreadable wrk output:\n${output}`)
  const latency = (p: number) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(output)
    return m ? Number(m[1]) * timeUnitsMs[m[2]!]! : Number.NaN
  }
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output)
  return {
    requests: Number(requests[1]),
    requestsPerSecond: Number(rate[1]),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
    p50Ms: latency(50),
    p99Ms: latency(99),
    errors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
  }
}

function runWrk(options: LoadOptions): Promise<LoadResult> {
  const headers = Object.entries({ accept: 'application/json', ...options.headers }).flatMap(([name, value]) => ['-H', `${name}: ${value}`])
  const seconds = Math.max(1, Math.round(options.durationMs / 1000))
  const args = ['-t1', `-c${options.concurrency}`, `-d${seconds}s`, '--latency', ...headers, options.url]
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { timeout: options.durationMs + 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new LoadError(`wrk failed: ${stderr || error.message}`))
      else {
        try {
          resolve(parseWrk(stdout))
        } catch (parseError) {
          reject(parseError)
        }
      }
    })
  })
}
