// A JSON-RPC proxy in front of anvil that a test can break on purpose: refuse every connection
// ("down"), hold every answer back ("slow"), lose the answer of one method after the node got it, or
// play a node that lacks some methods (answered "method not found", never forwarded).
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** A broadcast, with or without the receipt in its answer (EIP-7966's eth_sendRawTransactionSync). */
export const broadcastMethods = ['eth_sendRawTransaction', 'eth_sendRawTransactionSync'] as const

export function isBroadcast(method: string): boolean {
  return (broadcastMethods as readonly string[]).includes(method)
}

/** One JSON-RPC method, or any of several. */
export type MethodMatch = string | readonly string[]

export type RpcProxyMode =
  /** Forward everything. */
  | { kind: 'pass' }
  /** Reset every connection: the node looks unreachable. */
  | { kind: 'down' }
  /** Forward, but answer only after `delayMs`. */
  | { kind: 'slow'; delayMs: number }
  /** Forward `method` to the node, then drop the client's connection instead of answering (the next `times` calls, default all). */
  | { kind: 'lose-answer'; method: MethodMatch; times?: number }
  /** Forward `method` to the node, then go "down" before answering it (until the mode changes). */
  | { kind: 'cut-after'; method: MethodMatch }

export type RpcProxy = {
  url: string
  /** Where calls go; until it is set the proxy behaves as "down" (the app may start before the chain). */
  setUpstream(url: string): void
  setMode(mode: RpcProxyMode): void
  /** Methods this "node" does not have: answered with JSON-RPC error -32601 and not forwarded (single calls). */
  setMissing(methods: readonly string[]): void
  /** JSON-RPC methods seen since start (single and batched calls). */
  calls(): string[]
  stop(): Promise<void>
}

export async function startRpcProxy(): Promise<RpcProxy> {
  let upstream: string | undefined
  let mode: RpcProxyMode = { kind: 'pass' }
  let missing: readonly string[] = []
  const seen: string[] = []
  const sockets = new Set<Socket>()

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => void handle(Buffer.concat(chunks), request, response))
  })
  server.keepAliveTimeout = 1_000
  server.on('connection', (socket) => {
    if (mode.kind === 'down') return void socket.destroy()
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })

  async function handle(body: Buffer, request: http.IncomingMessage, response: http.ServerResponse) {
    const current = mode
    const target = upstream
    if (current.kind === 'down' || !target) return void request.socket.destroy()
    const methods = methodsOf(body)
    seen.push(...methods)
    const single = singleCall(body)
    if (single && missing.includes(single.method)) {
      response.writeHead(200, { 'content-type': 'application/json' })
      return void response.end(
        JSON.stringify({
          jsonrpc: '2.0',
          id: single.id,
          error: { code: -32601, message: `the method ${single.method} does not exist/is not available` },
        }),
      )
    }
    let answer: { status: number; body: Buffer }
    try {
      const forwarded = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Uint8Array(body) })
      answer = { status: forwarded.status, body: Buffer.from(await forwarded.arrayBuffer()) }
    } catch {
      return void request.socket.destroy()
    }
    if (current.kind === 'lose-answer' && matches(methods, current.method) && (current.times === undefined || current.times-- > 0))
      return void request.socket.destroy()
    if (current.kind === 'cut-after' && matches(methods, current.method)) {
      setDown()
      return void request.socket.destroy()
    }
    if (current.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, current.delayMs))
    if (mode.kind === 'down') return void request.socket.destroy()
    response.writeHead(answer.status, { 'content-type': 'application/json' })
    response.end(answer.body)
  }

  function setDown() {
    mode = { kind: 'down' }
    // Kept-alive connections would otherwise still reach the node.
    for (const socket of sockets) socket.destroy()
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    setUpstream: (url) => {
      upstream = url
    },
    setMissing: (methods) => {
      missing = methods
    },
    setMode: (next) => {
      if (next.kind === 'down') return setDown()
      mode = next
    },
    calls: () => [...seen],
    stop: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function matches(methods: string[], match: MethodMatch): boolean {
  return typeof match === 'string' ? methods.includes(match) : methods.some((method) => match.includes(method))
}

function singleCall(body: Buffer): { method: string; id: unknown } | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { method?: unknown; id?: unknown }
    return !Array.isArray(parsed) && typeof parsed.method === 'string' ? { method: parsed.method, id: parsed.id ?? null } : undefined
  } catch {
    return undefined
  }
}

function methodsOf(body: Buffer): string[] {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown
    const calls = Array.isArray(parsed) ? parsed : [parsed]
    return calls.map((call) => String((call as { method?: unknown })?.method ?? '?'))
  } catch {
    return ['?']
  }
}
