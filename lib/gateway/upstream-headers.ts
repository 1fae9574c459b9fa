// Which headers cross the gateway. Toward the upstream: a short allowlist of what describes the call
// (plus names the merchant lists), never credentials of the payer or of Tollgate, never hop-by-hop or
// client-address headers, and the merchant's secret header set by us alone. Toward the payer: the
// inert headers of lib/content (sandbox CSP, nosniff, active types as attachments) and a few that
// describe an API answer; never Set-Cookie or anything else. Names and their rules: ./header-names.ts.
import { inertHeaders } from '@/lib/content/inert-response'
import { forwardedHeaderIssue, forwardedRequestHeaders } from './header-names'

/** Content codings a payer may ask for: Tollgate relays the upstream's bytes and Content-Encoding unchanged, so the payer decodes. */
const relayedCodings = new Set(['gzip', 'deflate', 'br', 'zstd', 'identity'])

export type UpstreamRequestHeadersInput = {
  /** Extra request header names the merchant lets through (checked with forwardedHeaderIssue on save). */
  forwardHeaders?: readonly string[]
  /** The merchant's secret header(s), set last: a payer cannot send or override them. */
  secretHeaders?: Readonly<Record<string, string>>
}

/** The headers sent upstream for a payer's request. */
export function upstreamRequestHeaders(incoming: Headers, input: UpstreamRequestHeadersInput = {}): Record<string, string> {
  const secretNames = new Set(Object.keys(input.secretHeaders ?? {}).map((name) => name.toLowerCase()))
  // Names the payer's Connection header marks hop-by-hop are dropped too (RFC 9110 7.6.1).
  const hopByHop = new Set(
    (incoming.get('connection') ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  )
  const allowed = new Set([...forwardedRequestHeaders, ...(input.forwardHeaders ?? []).map((name) => name.toLowerCase())])
  const headers: Record<string, string> = {}
  for (const name of allowed) {
    if (secretNames.has(name) || hopByHop.has(name) || forwardedHeaderIssue(name) !== null) continue
    const value = incoming.get(name)
    if (value !== null) headers[name] = value
  }
  const encodings = relayedAcceptEncoding(incoming.get('accept-encoding'))
  if (encodings && !hopByHop.has('accept-encoding')) headers['accept-encoding'] = encodings
  headers['user-agent'] ??= 'Tollgate-Gateway/1.0'
  for (const [name, value] of Object.entries(input.secretHeaders ?? {})) headers[name.toLowerCase()] = value
  return headers
}

/** The payer's Accept-Encoding, keeping only codings the payer's client decodes itself (the gateway never decodes). */
export function relayedAcceptEncoding(value: string | null): string | null {
  if (!value) return null
  const kept: string[] = []
  for (const entry of value.split(',')) {
    const [coding, ...params] = entry.split(';').map((part) => part.trim().toLowerCase())
    if (!relayedCodings.has(coding!) || !params.every((param) => /^q=(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$/.test(param))) continue
    kept.push([coding, ...params].join(';'))
  }
  return kept.length > 0 ? kept.join(', ') : null
}

// API answers commonly carry these; they describe the call and run nothing.
const apiResponseHeader = /^(x-)?(request-id|ratelimit(-[a-z0-9-]{1,40})?)$/

/** The headers a payer gets with an upstream's answer: inert on our origin, no cookies, nothing that redirects or frames. */
export function payerResponseHeaders(upstream: Headers, downloadName: string): Headers {
  const headers = inertHeaders({ contentType: upstream.get('content-type'), fileName: downloadName, upstream })
  upstream.forEach((value, name) => {
    if (apiResponseHeader.test(name)) headers.set(name, value)
  })
  // Proxies in front of Tollgate (nginx) would otherwise buffer a stream of events.
  if (headers.get('content-type')?.startsWith('text/event-stream')) headers.set('x-accel-buffering', 'no')
  return headers
}
