// An upstream API that tests put behind a service link: it records every request it receives (method,
// path, query, headers, body) and answers by path — an echo, a JSON list, a JSON-RPC endpoint (batches
// too), a server-sent event stream that waits for the test between its events, a route whose status
// the test sets, a slow route, and one that sends headers no payer may get (Set-Cookie, hop-by-hop).
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export type Received = { method: string; path: string; query: string; headers: http.IncomingHttpHeaders; body: string }

export type ServiceUpstream = {
  url: string
  port: number
  received: Received[]
  /** Requests received at `path` (query dropped). */
  hits(path: string): number
  /** The status /flaky answers from now on. */
  setFlakyStatus(status: number): void
  /** Lets the open /events stream send its second event and end. */
  releaseEvents(): void
  /** Whether an /events stream has ended. */
  eventsFinished(): boolean
  stop(): Promise<void>
}

export async function startServiceUpstream(options: { prefix?: string; slowMs?: number } = {}): Promise<ServiceUpstream> {
  const prefix = options.prefix ?? ''
  const received: Received[] = []
  let flakyStatus = 500
  let release: () => void = () => {}
  let released = new Promise<void>((resolve) => (release = resolve))
  let finished = false
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const [rawPath = '/', query = ''] = (req.url ?? '/').split('?')
      const body = Buffer.concat(chunks).toString('utf8')
      received.push({ method: req.method ?? '', path: rawPath, query, headers: req.headers, body })
      const path = rawPath.startsWith(prefix) ? rawPath.slice(prefix.length) : rawPath
      const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers })
        res.end(JSON.stringify(value))
      }
      switch (path) {
        case '/rpc':
          return json(200, jsonRpcAnswer(body))
        case '/v1/events': {
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
          res.write('data: one\n\n')
          void released.then(() => {
            res.end('data: two\n\n')
            finished = true
          })
          return
        }
        case '/v1/flaky':
          return json(flakyStatus, { status: flakyStatus })
        case '/v1/slow':
          return void setTimeout(() => json(200, { slow: true }), options.slowMs ?? 1_500)
        case '/health':
        case '/v1/headers':
          return json(
            200,
            { ok: true },
            { 'set-cookie': 'upstream_session=stolen; Path=/', 'x-request-id': 'req-1', 'keep-alive': 'timeout=5', location: '/elsewhere' },
          )
        default:
          return json(200, { method: req.method, path: rawPath, query, body })
      }
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    hits: (path) => received.filter((r) => r.path === path).length,
    setFlakyStatus: (status) => {
      flakyStatus = status
    },
    releaseEvents: () => {
      release()
      released = new Promise<void>((resolve) => (release = resolve))
    },
    eventsFinished: () => finished,
    stop: () =>
      new Promise((resolve) => {
        release()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A JSON-RPC 2.0 answer for one call or a batch: eth_blockNumber and eth_chainId answer, anything else echoes its method. */
function jsonRpcAnswer(body: string): unknown {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }
  }
  const answer = (call: { id?: unknown; method?: unknown }) => ({
    jsonrpc: '2.0',
    id: call.id ?? null,
    result: call.method === 'eth_blockNumber' ? '0x2a' : call.method === 'eth_chainId' ? '0x7a69' : `called ${String(call.method)}`,
  })
  return Array.isArray(parsed) ? parsed.map((call) => answer(call as object)) : answer(parsed as object)
}
