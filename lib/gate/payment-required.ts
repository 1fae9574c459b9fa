// Builds the 402 (or other problem) response: fresh MPP challenges for every offer the client
// accepts, the x402 PAYMENT-REQUIRED header for the EVM offer, and a problem+json body. The parts
// that are the same for every 402 of a resource come prepared (prepared-offers.ts); each response
// still gets its own expiry, nonce and challenge id.
import * as AcceptPayment from '@/lib/protocol/AcceptPayment'
import * as ChallengeTemplate from '@/lib/protocol/ChallengeTemplate'
import * as Digest from '@/lib/protocol/Digest'
import * as Problem from '@/lib/protocol/Problem'
import * as PaymentRequired from '@/lib/protocol/x402/PaymentRequired'
import * as x402Headers from '@/lib/protocol/x402/Headers'
import { isBrowserNavigation, toCheckoutDocument } from './browser'
import type { Gate } from './gate'
import { challengeNonce } from './nonce'
import { preparedOffers } from './prepared-offers'
import type { PricedResource } from './priced-resource'

/** The challenges of one response (each with its `WWW-Authenticate` value) and the PAYMENT-REQUIRED value, if any. */
export type Offers = { challenges: ChallengeTemplate.Issued[]; paymentRequired: string | null }

/** Fresh challenges for a resource, filtered and ordered by the client's Accept-Payment; `digest` binds a request body. */
export function buildOffers(
  gate: Gate,
  request: Request,
  resource: PricedResource,
  digest: string | undefined,
  x402Error?: string,
): Offers {
  const prepared = preparedOffers(gate, resource)
  const expires = new Date(Date.now() + gate.config.challengeTtlSeconds * 1000)
  // Malformed or unmatched Accept-Payment leaves the normal set, as the spec allows.
  const selected = AcceptPayment.select(prepared.candidates, request.headers.get('accept-payment'))
  const challenges = selected.map((offer) =>
    ChallengeTemplate.issue(offer.template, {
      expires,
      ...(digest ? { digest } : {}),
      // The nonce makes every challenge unique, even two issued in the same millisecond to two payers.
      // `grant`: the terms a route's grant will be bound to, so the card checkout names the same grant (grant-scope.ts).
      opaque: { resource: resource.key, ...(resource.grantScope ? { grant: resource.grantScope } : {}), nonce: challengeNonce() },
    }),
  )
  const x402 = prepared.x402 && selected.some((o) => o.method === 'evm') ? prepared.x402 : null
  const paymentRequired = !x402
    ? null
    : x402Error === undefined
      ? x402.header
      : PaymentRequired.encode(PaymentRequired.from({ resource: x402.resource, accepts: [x402.requirements], error: x402Error }))
  gate.stats.count(resource.key)
  return { challenges, paymentRequired }
}

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

/** The 402 for `problem`, or for an unpaid request (payment-required) when there is none. */
export async function paymentRequiredResponse(
  gate: Gate,
  request: Request,
  resource: PricedResource,
  body: Uint8Array | null,
  problem?: Problem.PaymentProblem,
): Promise<Response> {
  const digest = body && body.byteLength > 0 ? await Digest.compute(body) : undefined
  const offers = buildOffers(
    gate,
    request,
    resource,
    digest,
    problem && problem.status === 402 && !(problem instanceof Problem.PaymentRequiredError) ? problem.detail : undefined,
  )
  if (offers.challenges.length === 0) {
    return jsonProblem(
      503,
      'No payment method available',
      'None of the payment methods this resource accepts is configured on this server.',
    )
  }
  const unpaid = preparedOffers(gate, resource).paymentRequired
  const response = problem ? problemResponse(problem, offers) : problemResponse(unpaid.problem, offers, unpaid.body)
  // A person's first visit: same challenges, but an HTML body that leads to the checkout page.
  return (!problem || problem instanceof Problem.PaymentRequiredError) && isBrowserNavigation(request)
    ? toCheckoutDocument(response, request)
    : response
}

/** A problem that is not a payment problem (404, 410, 429, 503): RFC 9457 with the default type. */
export function jsonProblem(status: number, title: string, detail: string, headers: HeadersInit = {}): Response {
  const h = new Headers(headers)
  h.set('content-type', 'application/problem+json')
  h.set('cache-control', 'no-store')
  return new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), { status, headers: h })
}
