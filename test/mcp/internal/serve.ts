// A Web `Request -> Response` handler behind a real node:http server on 127.0.0.1 (a free port), the way a
// Next.js route handler is served: the MCP SDK client and mppx talk to it over real HTTP.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'

export type Served = { url: string; close(): Promise<void> }

export async function serve(handler: (request: Request) => Promise<Response>): Promise<Served> {
  const server = http.createServer(async (incoming, outgoing) => {
    try {
      const headers = new Headers()
      for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === 'string') headers.set(name, value)
      const method = incoming.method ?? 'GET'
      const body = method === 'GET' || method === 'HEAD' ? undefined : (Readable.toWeb(incoming) as ReadableStream<Uint8Array>)
      const request = new Request(`http://${incoming.headers.host}${incoming.url}`, {
        method,
        headers,
        body,
        duplex: 'half',
      } as RequestInit)
      const response = await handler(request)
      outgoing.writeHead(response.status, Object.fromEntries(response.headers))
      outgoing.end(Buffer.from(await response.arrayBuffer()))
    } catch (error) {
      // A handler that throws is a test failure the tests see as this status.
      outgoing.writeHead(599).end(String(error))
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
