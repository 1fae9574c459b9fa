// Tollgate's production server (`npm start`): Next.js's own request handler behind a plain Node HTTP
// server whose only job is to record each request's socket address for the rate limits. A route
// handler under `next start` cannot see the socket (Next fills X-Forwarded-For from it only when the
// client sent none); the policy that turns the address into a client key is lib/http/client-address.ts.
// Plain JavaScript on purpose: it runs after `npm run build` with production dependencies only.
import { existsSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath, pathToFileURL } from 'node:url'

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
const dir = fileURLToPath(new URL('.', import.meta.url))
const app = next({ dev: false, dir, hostname, port })
await app.prepare()
const handle = app.getRequestHandler()

// Unpaid GET/HEAD /l/{slug} without a grant cookie, and those paid by a plain session voucher: answered by the
// same link handler, bundled on its own by `npm run build` (scripts/build-fast-path.ts), before Next routes the
// request. TOLLGATE_FAST_PATH=0 turns it off.
const fastPathFile = path.join(dir, process.env.NEXT_DIST_DIR || '.next', 'fast-path', 'link.mjs')
const fastPath = process.env.TOLLGATE_FAST_PATH !== '0' && existsSync(fastPathFile) ? await import(pathToFileURL(fastPathFile).href) : null
// `npm run bench` only: /bench/unpriced answers /l/demo's 402 bytes ungated on the same path (fast-path.ts).
const benchmarking = process.env.TOLLGATE_BENCH === '1'

const server = createServer((request, response) => {
  const address = request.socket.remoteAddress
  if (address) request.headers[socketAddressHeader] = address
  else delete request.headers[socketAddressHeader]
  request.headers[requestTargetHeader] = request.url ?? '/'
  response.once('finish', () => {
    if (!request.complete) discardRestOfBody(request)
  })
  const slug = fastPath?.fastLinkSlug(request.method, request.url, request.headers)
  const voucherSlug = slug ? null : fastPath?.fastVoucherSlug?.(request.method, request.url, request.headers)
  if (slug) serveFast(request, response, (webRequest) => fastPath.answerLinkRequest(webRequest, slug))
  // A voucher may have been charged when the handler failed: it is never handled a second time by Next.
  else if (voucherSlug) serveFast(request, response, (webRequest) => fastPath.answerLinkRequest(webRequest, voucherSlug), { retry: false })
  else if (fastPath && benchmarking && request.method === 'GET' && request.url === '/bench/unpriced')
    serveFast(request, response, (webRequest) => fastPath.answerUngatedBaseline(webRequest), { buffered: true })
  else handleWithNext(request, response)
})

function handleWithNext(request, response) {
  handle(request, response).catch((error) => {
    console.error(`request failed: ${error instanceof Error ? error.message : String(error)}`)
    if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' })
    response.end('Internal Server Error')
  })
}

/**
 * `buffered`: write the answer with its length in one piece (a 402 or a baseline of its bytes), never as a stream.
 * `retry: false`: a fault of the handler is a 500, not handed to Next (the request may have paid already).
 */
async function serveFast(request, response, answerFor, { buffered = false, retry = true } = {}) {
  let webRequest
  try {
    const headers = new Headers()
    // request.headers, not rawHeaders: it holds the socket address this server wrote, never the client's.
    for (const [name, value] of Object.entries(request.headers)) {
      if (Array.isArray(value)) for (const item of value) headers.append(name, item)
      else if (value !== undefined) headers.set(name, value)
    }
    const url = `http://${request.headers.host || `${hostname}:${port}`}${request.url}`
    webRequest = new Request(url, { method: request.method, headers })
  } catch {
    // A header or URL a Request refuses: Next answers as before.
    if (!response.headersSent) handleWithNext(request, response)
    return
  }
  let answer
  try {
    answer = await answerFor(webRequest)
  } catch (error) {
    // A fault: Next answers an unpaid request as before; a paid one gets what Next answers a fault with.
    if (response.headersSent) return
    if (retry) handleWithNext(request, response)
    else {
      console.error(`request failed: ${error instanceof Error ? error.message : String(error)}`)
      response.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error')
    }
    return
  }
  const headers = {}
  answer.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value
  })
  const cookies = answer.headers.getSetCookie()
  if (cookies.length > 0) headers['set-cookie'] = cookies
  if (request.method === 'HEAD' || !answer.body) {
    await answer.body?.cancel().catch(() => {})
    response.writeHead(answer.status, headers).end()
  } else if (!buffered && answer.status >= 200 && answer.status < 300) {
    // A resource (a free route of a service link, say) may stream.
    response.writeHead(answer.status, headers)
    Readable.fromWeb(answer.body)
      .on('error', () => response.destroy())
      .pipe(response)
  } else {
    const body = Buffer.from(await answer.arrayBuffer())
    headers['content-length'] = String(body.byteLength)
    response.writeHead(answer.status, headers).end(body)
  }
}

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
