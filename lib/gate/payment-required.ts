// Builds the 402 (or other problem) response: fresh MPP challenges for every offer the client
// accepts, the x402 PAYMENT-REQUIRED header for the EVM offer, and a problem+json body.
import { randomBytes } from 'node:crypto'
import * as AcceptPayment from '@/lib/protocol/AcceptPayment'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Digest from '@/lib/protocol/Digest'
import * as Problem from '@/lib/protocol/Problem'
import * as PaymentRequired from '@/lib/protocol/x402/PaymentRequired'
import * as x402Headers from '@/lib/protocol/x402/Headers'
import { isBrowserNavigation, toCheckoutDocument } from './browser'
import type { Gate } from './gate'
import type { PricedResource } from './priced-resource'

export type Offers = { challenges: Challenge.Challenge[]; x402: PaymentRequired.PaymentRequired | null }

/** Fresh challenges for a resource, filtered and ordered by the client's Accept-Payment. */
export async function buildOffers(gate: Gate, request: Request, resource: PricedResource, body: Uint8Array | null, x402Error?: string): Promise<Offers> {
  const now = Date.now()
  const expires = new Date(now + gate.config.challengeTtlSeconds * 1000)
  const digest = body && body.byteLength > 0 ? await Digest.compute(body) : undefined
  const candidates: Array<{ method: string; intent: string; request: Record<string, unknown> }> = []
  for (const name of resource.rails) {
    const rail = gate.rails.find((r) => r.name === name)
    const chargeRequest = rail?.chargeRequest(resource)
    if (chargeRequest) candidates.push({ method: name, intent: 'charge', request: chargeRequest })
  }
  // Malformed or unmatched Accept-Payment leaves the normal set, as the spec allows.
  const selected = AcceptPayment.select(candidates, request.headers.get('accept-payment'))
  const challenges = selected.map((offer) =>
    Challenge.create({
      secret: gate.config.secrets[0]!,
      realm: gate.config.realm,
      method: offer.method,
      intent: offer.intent,
      request: offer.request,
      expires,
      ...(resource.title ? { description: resource.title } : {}),
      ...(digest ? { digest } : {}),
      // The nonce makes every challenge unique, even two issued in the same millisecond to two payers.
      opaque: { resource: resource.key, nonce: randomBytes(12).toString('base64url') },
    }),
  )
  const evmOffered = selected.some((o) => o.method === 'evm')
  const x402 = gate.x402 && evmOffered
    ? PaymentRequired.from({
        resource: { url: resource.url, ...(resource.description || resource.title ? { description: resource.description || resource.title } : {}), ...(resource.mimeType ? { mimeType: resource.mimeType } : {}) },
        accepts: [gate.x402.requirements(resource)],
        ...(x402Error ? { error: x402Error } : {}),
      })
    : null
  gate.stats.count(resource.key)
  return { challenges, x402 }
}

export function problemResponse(problem: Problem.PaymentProblem, offers: Offers | null, extraHeaders: HeadersInit = {}): Response {
  const headers = new Headers(extraHeaders)
  headers.set('content-type', 'application/problem+json')
  headers.set('cache-control', 'no-store')
  if (offers && problem.status === 402) {
    for (const challenge of offers.challenges) headers.append('www-authenticate', Challenge.serialize(challenge))
    if (offers.x402) headers.set(x402Headers.paymentRequired, PaymentRequired.encode(offers.x402))
  }
  return new Response(JSON.stringify(Problem.toJSON(problem)), { status: problem.status, headers })
}

export async function paymentRequiredResponse(
  gate: Gate,
  request: Request,
  resource: PricedResource,
  body: Uint8Array | null,
  problem: Problem.PaymentProblem = new Problem.PaymentRequiredError(`Payment is required: ${resource.title ?? resource.url} costs $${resource.priceUsd}.`),
): Promise<Response> {
  const offers = await buildOffers(gate, request, resource, body, problem.status === 402 && !(problem instanceof Problem.PaymentRequiredError) ? problem.detail : undefined)
  if (offers.challenges.length === 0) {
    return jsonProblem(503, 'No payment method available', 'None of the payment methods this resource accepts is configured on this server.')
  }
  const response = problemResponse(problem, offers)
  // A person's first visit: same challenges, but an HTML body that leads to the checkout page.
  return problem instanceof Problem.PaymentRequiredError && isBrowserNavigation(request) ? toCheckoutDocument(response, request) : response
}

/** A problem that is not a payment problem (404, 410, 429, 503): RFC 9457 with the default type. */
export function jsonProblem(status: number, title: string, detail: string, headers: HeadersInit = {}): Response {
  const h = new Headers(headers)
  h.set('content-type', 'application/problem+json')
  h.set('cache-control', 'no-store')
  return new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), { status, headers: h })
}
