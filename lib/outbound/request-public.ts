// One HTTP exchange with a merchant's host (a proxy upstream, a webhook endpoint). The policy is
// checked on the socket's own lookup, so the address checked is the address connected to, whatever
// DNS answers by then. Redirects are handed back, never followed: a hop could lead anywhere.
import http from 'node:http'
import https from 'node:https'
import { isIPv6, type LookupFunction } from 'node:net'
import { Readable } from 'node:stream'
import { OutboundFailedError, OutboundRefusedError } from './errors'
import { checkHostName, checkResolved, type OutboundPolicy } from './outbound-policy'
import { HostNotFoundError } from './resolve-host'

export type OutboundRequest = {
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  headers?: Record<string, string>
  body?: string | Uint8Array
  /** For the whole exchange, the body included, unless `timeoutCovers` is 'headers'. */
  timeoutMs: number
  /** 'headers': the timeout ends when the response headers arrive, so a stream (SSE) may then run longer. */
  timeoutCovers?: 'exchange' | 'headers'
  /** Aborts the exchange at any point, the streamed body included (the caller went away). */
  signal?: AbortSignal
}

const nullBodyStatuses = new Set([204, 205, 304])

/** The host's answer as a web Response (body streamed); throws OutboundRefusedError or OutboundFailedError. */
export async function requestPublic(target: string | URL, init: OutboundRequest, policy: OutboundPolicy): Promise<Response> {
  const url = new URL(target)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundRefusedError(`${url.protocol} URLs are never fetched`)
  const host = checkHostName(url.hostname, policy)
  if ('refusal' in host) throw new OutboundRefusedError(host.refusal)
  const method = init.method ?? 'GET'
  const transport = url.protocol === 'https:' ? https : http
  if (init.signal?.aborted) throw new OutboundFailedError(`the request to ${url.host} was cancelled`, 'cancelled')
  const abort = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    abort.abort()
  }, init.timeoutMs)
  timer.unref()
  const cancel = () => abort.abort()
  init.signal?.addEventListener('abort', cancel, { once: true })
  const done = () => {
    clearTimeout(timer)
    init.signal?.removeEventListener('abort', cancel)
  }
  return new Promise<Response>((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method,
        headers: withBodyLength(init.headers, init.body),
        signal: abort.signal,
        // A fresh connection per exchange: a pooled socket would skip the lookup, and with it the check.
        agent: false,
        lookup: checkedLookup(policy),
      },
      (response) => {
        if (init.timeoutCovers === 'headers') clearTimeout(timer)
        response.once('close', done)
        try {
          resolve(toWebResponse(response, method, url))
        } catch (error) {
          request.destroy()
          reject(error)
        }
      },
    )
    request.on('error', (error) => {
      done()
      reject(timedOut || abort.signal.aborted ? describeAbort(url, init.timeoutMs, timedOut) : describeFailure(error, url, init.timeoutMs))
    })
    request.end(init.body)
  })
}

// Node frames a GET, HEAD or DELETE body only with a Content-Length; it is the body's own, whatever the caller said.
function withBodyLength(
  headers: Record<string, string> | undefined,
  body: string | Uint8Array | undefined,
): Record<string, string> | undefined {
  if (body === undefined) return headers
  const rest = Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => name.toLowerCase() !== 'content-length'))
  return { ...rest, 'content-length': String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength) }
}

function describeAbort(url: URL, timeoutMs: number, timedOut: boolean): OutboundFailedError {
  return timedOut
    ? new OutboundFailedError(`${url.host} did not answer within ${timeoutMs / 1000} s`, 'timeout')
    : new OutboundFailedError(`the request to ${url.host} was cancelled`, 'cancelled')
}

function checkedLookup(policy: OutboundPolicy): LookupFunction {
  return (hostname, options, callback) => {
    policy.resolve(hostname).then(
      (addresses) => {
        const refusal = checkResolved(hostname, addresses, policy)
        if (refusal) return callback(new OutboundRefusedError(refusal), '', 0)
        const wanted = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0
        const usable = addresses
          .map((address) => ({ address, family: isIPv6(address) ? 6 : 4 }))
          .filter((a) => wanted === 0 || a.family === wanted)
        if (usable.length === 0) return callback(new HostNotFoundError(hostname), '', 0)
        if (options.all) return callback(null, usable)
        callback(null, usable[0]!.address, usable[0]!.family)
      },
      (error: Error) => callback(error, '', 0),
    )
  }
}

function toWebResponse(response: http.IncomingMessage, method: string, url: URL): Response {
  const status = response.statusCode ?? 0
  if (status < 200 || status > 599) throw new OutboundFailedError(`${url.host} answered with an invalid HTTP status (${status})`)
  const headers = new Headers()
  const raw = response.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i]!, raw[i + 1]!)
    } catch {
      // A header value the Fetch API cannot hold is dropped, not fatal.
    }
  }
  if (method === 'HEAD' || nullBodyStatuses.has(status)) {
    response.resume()
    return new Response(null, { status, headers })
  }
  return new Response(Readable.toWeb(response) as ReadableStream<Uint8Array>, { status, headers })
}

function describeFailure(error: unknown, url: URL, timeoutMs: number): Error {
  if (error instanceof OutboundRefusedError || error instanceof OutboundFailedError) return error
  if (error instanceof HostNotFoundError) return new OutboundFailedError(error.message)
  const name = (error as { name?: unknown })?.name
  if (name === 'AbortError' || name === 'TimeoutError')
    return new OutboundFailedError(`${url.host} did not answer within ${timeoutMs / 1000} s`, 'timeout')
  const code = (error as { code?: unknown })?.code
  if (code === 'ECONNREFUSED') return new OutboundFailedError(`${url.host} refused the connection`)
  if (code === 'ECONNRESET') return new OutboundFailedError(`${url.host} closed the connection`)
  if (typeof code === 'string' && /CERT|TLS|SSL/.test(code)) return new OutboundFailedError(`TLS with ${url.host} failed (${code})`)
  return new OutboundFailedError(`could not talk to ${url.host}${typeof code === 'string' ? ` (${code})` : ''}`)
}
