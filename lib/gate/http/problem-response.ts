// Problem responses (RFC 9457) as HTTP sends them: payment problems with their challenges, and plain
// problems (404, 410, 429, 503) with the default type. Neither is ever cached.
import * as Problem from '@/lib/protocol/Problem'
import * as x402Headers from '@/lib/protocol/x402/Headers'
import type { Offers } from '../types'

/** `body` is the problem+json when it is already known (the prepared payment-required body). */
export function problemResponse(
  problem: Problem.PaymentProblem,
  offers: Offers | null,
  body: string | Uint8Array<ArrayBuffer> = JSON.stringify(Problem.toJSON(problem)),
): Response {
  const headers: Array<[string, string]> = [
    ['content-type', Problem.contentType],
    ['cache-control', 'no-store'],
  ]
  if (offers && problem.status === 402) {
    for (const challenge of offers.challenges) headers.push(['www-authenticate', challenge.header])
    if (offers.paymentRequired) headers.push([x402Headers.paymentRequired, offers.paymentRequired])
  }
  return new Response(body, { status: problem.status, headers })
}

/** A problem that is not a payment problem (404, 410, 429, 503): RFC 9457 with the default type. */
export function jsonProblem(status: number, title: string, detail: string, headers: HeadersInit = {}): Response {
  const h = new Headers(headers)
  h.set('content-type', 'application/problem+json')
  h.set('cache-control', 'no-store')
  return new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), { status, headers: h })
}

export function withHeaders(response: Response, headers: Record<string, string>): Response {
  const merged = new Headers(response.headers)
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'set-cookie') merged.append(name, value)
    else merged.set(name, value)
  }
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers: merged })
}
