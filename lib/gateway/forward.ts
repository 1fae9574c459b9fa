// One paid request forwarded to a service link's upstream, and its answer streamed back in a form that is
// safe to serve on Tollgate's origin. The connection goes through lib/outbound (the address is checked at
// connect time; nothing private unless the operator allows it), the path cannot leave the upstream base,
// redirects are never followed, and the timeout covers only the wait for the answer's headers: a stream
// (SSE, chunked) then runs as long as the upstream sends, chunk by chunk, until the payer goes away.
import * as Outbound from '@/lib/outbound'
import { canonicalPath } from './path-pattern'
import type { HttpMethod } from './price-rules'
import { payerResponseHeaders, upstreamRequestHeaders } from './upstream-headers'

export type ForwardParameters = {
  /** The link's upstream base URL, e.g. https://api.example.com/v1 (validated when the link was saved). */
  upstreamBase: string
  /** The request's path below the link, still percent-encoded: '' or '/chat/completions'. */
  subpath: string
  /** The request's query, '' or '?a=1' (appended after any query of the base). */
  search: string
  method: HttpMethod
  /** The payer's request headers; only the allowlist reaches the upstream (./header-names.ts). */
  headers: Headers
  /** The request body as read (and digest-bound) by the gate; null for none. */
  body: Uint8Array | null
  /** The merchant's secret header(s), decrypted: added here, never taken from the payer. */
  secretHeaders?: Readonly<Record<string, string>>
  /** Extra request header names the merchant lets through. */
  forwardHeaders?: readonly string[]
  /** Until the upstream's response headers arrive. */
  timeoutMs: number
  outbound: Outbound.OutboundPolicy
  /** The payer went away: stop talking to the upstream, mid-stream included. */
  signal?: AbortSignal
  /** Name of the download when the answer's type is active (HTML, SVG…); default "response". */
  downloadName?: string
}

export type UpstreamErrorReason = 'refused' | 'unreachable' | 'timeout' | 'redirect' | 'cancelled'

/**
 * The upstream did not give an answer Tollgate can pass on. `message` is for the merchant (it names the
 * upstream's host); `publicDetail` is for the payer and names nothing of the upstream. Map it to
 * `status`: 504 for a timeout, 502 otherwise.
 */
export class UpstreamError extends Error {
  override name = 'UpstreamError'
  readonly status: 502 | 504
  constructor(
    readonly reason: UpstreamErrorReason,
    message: string,
    readonly publicDetail: string,
  ) {
    super(message)
    this.status = reason === 'timeout' ? 504 : 502
  }
}

/** The request's path cannot be forwarded (a dot segment, an encoded slash…): a 400 whose detail says why. */
export class InvalidUpstreamPathError extends Error {
  override name = 'InvalidUpstreamPathError'
  readonly status = 400
}

/** Forwards the request; the answer's body is the upstream's stream. Throws UpstreamError or InvalidUpstreamPathError. */
export async function forwardToUpstream(parameters: ForwardParameters): Promise<Response> {
  const url = upstreamUrl(parameters.upstreamBase, parameters.subpath, parameters.search)
  const headers = upstreamRequestHeaders(parameters.headers, {
    forwardHeaders: parameters.forwardHeaders,
    secretHeaders: parameters.secretHeaders,
  })
  const body = parameters.body && parameters.body.byteLength > 0 ? parameters.body : undefined
  let upstream: Response
  try {
    upstream = await Outbound.requestPublic(
      url,
      { method: parameters.method, headers, body, timeoutMs: parameters.timeoutMs, timeoutCovers: 'headers', signal: parameters.signal },
      parameters.outbound,
    )
  } catch (error) {
    throw upstreamErrorFor(error, url)
  }
  if (upstream.status >= 300 && upstream.status < 400 && upstream.status !== 304) {
    await upstream.body?.cancel().catch(() => {})
    throw new UpstreamError(
      'redirect',
      `${url.host} answered ${upstream.status} (a redirect) for ${url.pathname}; service links do not follow redirects, so point the link at the final URL`,
      'The service answered with a redirect, which Tollgate does not follow.',
    )
  }
  return new Response(upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: payerResponseHeaders(upstream.headers, parameters.downloadName ?? 'response'),
  })
}

/**
 * `{base}{subpath}{search}`: the canonical subpath (./path-pattern.ts) below the base's path, the base's
 * own query first. Nothing a payer sends can change the origin or leave the base path.
 */
export function upstreamUrl(upstreamBase: string, subpath: string, search: string): URL {
  const base = new URL(upstreamBase)
  const path = canonicalPath(subpath)
  if (!path.ok) throw new InvalidUpstreamPathError(path.detail)
  const basePath = base.pathname.replace(/\/+$/, '')
  const url = new URL(base.href)
  url.hash = ''
  url.pathname = `${basePath}${path.path}` || '/'
  const query = search.startsWith('?') ? search.slice(1) : search
  if (query) url.search = base.search ? `${base.search.slice(1)}&${query}` : query
  // Belt and braces: canonicalPath already refused every way out.
  if (url.origin !== base.origin || !(url.pathname === (basePath || '/') || url.pathname.startsWith(`${basePath}/`)))
    throw new InvalidUpstreamPathError('The path is not accepted: it would leave the service.')
  return url
}

function upstreamErrorFor(error: unknown, url: URL): UpstreamError {
  if (error instanceof Outbound.OutboundRefusedError)
    return new UpstreamError('refused', error.message, 'The service is at an address Tollgate does not connect to.')
  if (error instanceof Outbound.OutboundFailedError) {
    if (error.reason === 'timeout') return new UpstreamError('timeout', error.message, 'The service did not answer in time.')
    if (error.reason === 'cancelled') return new UpstreamError('cancelled', error.message, 'The request was cancelled.')
    return new UpstreamError('unreachable', error.message, 'The service could not be reached.')
  }
  // Anything else (a header Node refuses to send…) is still the upstream exchange failing, never a 500.
  return new UpstreamError('unreachable', `could not send the request to ${url.host}`, 'The service could not be reached.')
}
