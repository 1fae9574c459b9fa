// Tollgate's production server (`npm start`): Next.js's own request handler behind a plain Node HTTP
// server whose only job is to record each request's socket address for the rate limits. A route
// handler under `next start` cannot see the socket (Next fills X-Forwarded-For from it only when the
// client sent none); the policy that turns the address into a client key is lib/http/client-address.ts.
// Plain JavaScript on purpose: it runs after `npm run build` with production dependencies only.
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

// What `next start` sets; React and Next pick their production builds from it when first loaded.
process.env.NODE_ENV = 'production'
const { default: next } = await import('next')

// Overwritten on every request, so a client cannot choose its value.
const socketAddressHeader = 'x-tollgate-socket-address'
// The request-target exactly as received (Next rebuilds a request's query string): a paid API forwards it as sent.
const requestTargetHeader = 'x-tollgate-request-target'

// An answer sent before its request body ended (a 413, a 401 to an upload): the rest of the body is read
// and dropped for at most this long and this much, then the connection closes. Closing at once, with
// the body still arriving, resets the connection and the client may never see the answer.
const LINGER_MS = 5_000
const LINGER_BYTES = 16 * 1024 * 1024

const hostname = process.env.HOST || '127.0.0.1'
const port = Number(process.env.PORT || 3000)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, not "${process.env.PORT}"`)
  process.exit(1)
}

// Tells lib/http/client-address.ts which header carries the socket address (same process, same globalThis).
globalThis.__tollgateSocketAddressHeader = socketAddressHeader
globalThis.__tollgateRequestTargetHeader = requestTargetHeader

const startedAt = performance.now()
const app = next({ dev: false, dir: fileURLToPath(new URL('.', import.meta.url)), hostname, port })
await app.prepare()
const handle = app.getRequestHandler()

const server = createServer((request, response) => {
  const address = request.socket.remoteAddress
  if (address) request.headers[socketAddressHeader] = address
  else delete request.headers[socketAddressHeader]
  request.headers[requestTargetHeader] = request.url ?? '/'
  response.once('finish', () => {
    if (!request.complete) discardRestOfBody(request)
  })
  handle(request, response).catch((error) => {
    console.error(`request failed: ${error instanceof Error ? error.message : String(error)}`)
    if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' })
    response.end('Internal Server Error')
  })
})

function discardRestOfBody(request) {
  const socket = request.socket
  let discarded = 0
  const close = () => {
    clearTimeout(timer)
    socket.destroy()
  }
  const timer = setTimeout(close, LINGER_MS)
  timer.unref()
  // A route that stopped reading at its limit left its reader attached; nothing reads through it any more.
  request.removeAllListeners('readable')
  request.on('data', (chunk) => {
    discarded += chunk.length
    if (discarded > LINGER_BYTES) close()
  })
  request.once('end', () => clearTimeout(timer))
  request.once('close', () => clearTimeout(timer))
  request.resume()
}

server.on('error', (error) => {
  console.error(`Tollgate could not listen on ${hostname}:${port}: ${error.message}`)
  process.exit(1)
})

server.listen(port, hostname, () => {
  const { version } = createRequire(import.meta.url)('next/package.json')
  // The same readiness words as `next start`, so anything that watches for them keeps working.
  const url = `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`
  console.log(`Tollgate (Next.js ${version}) on ${url}: ✓ Ready in ${Math.round(performance.now() - startedAt)}ms`)
})

// SIGTERM/SIGINT: stop accepting, let Next close, exit (SIGINT exits through process.exit, which writes --cpu-prof profiles).
let stopping = false
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    server.close()
    server.closeIdleConnections()
    Promise.resolve(app.close?.())
      .catch(() => {})
      .finally(() => process.exit(0))
  })
}
