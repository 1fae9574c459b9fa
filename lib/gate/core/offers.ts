// What a priced resource offers, and the fresh challenges of one refusal. Every part that does not change
// between two 402s is built once per resource object (each method's request as a challenge template, the
// x402 PAYMENT-REQUIRED value, the payment-required problem); each refusal still gets its own expiry, nonce
// and challenge id. A cached link's resource lives as long as its cache entry, so price, recipient or title
// changes apply as soon as the resource is rebuilt.
import * as AcceptPayment from '@/lib/protocol/AcceptPayment'
import * as ChallengeTemplate from '@/lib/protocol/ChallengeTemplate'
import * as Problem from '@/lib/protocol/Problem'
import * as PaymentRequired from '@/lib/protocol/x402/PaymentRequired'
import type * as PaymentRequirements from '@/lib/protocol/x402/PaymentRequirements'
import { challengeNonce } from '../nonce'
import type { Gate, MethodKey, Offers, PricedResource } from '../types'

export type Candidate = { method: string; intent: string; key: MethodKey; template: ChallengeTemplate.ChallengeTemplate }

export type PreparedOffers = {
  /** Every method that can sell this resource, in the resource's order. */
  candidates: Candidate[]
  /** The x402 offer, or null when x402 is off or the method it rides on is not offered. */
  x402: { over: MethodKey; resource: PaymentRequired.ResourceInfo; requirements: PaymentRequirements.ExactEvm; header: string } | null
  /** The problem of an unpaid request, and its problem+json body as UTF-8 (a Response copies it). */
  paymentRequired: { problem: Problem.PaymentRequiredError; body: Uint8Array<ArrayBuffer> }
}

const prepared = new WeakMap<PricedResource, { gate: Gate; offers: PreparedOffers }>()

/** The prepared offers of `resource`, built on first use and reused while the same resource object is sold. */
export function preparedOffers(gate: Gate, resource: PricedResource): PreparedOffers {
  const entry = prepared.get(resource)
  if (entry?.gate === gate) return entry.offers
  const offers = prepareOffers(gate, resource)
  prepared.set(resource, { gate, offers })
  return offers
}

export function prepareOffers(gate: Gate, resource: PricedResource): PreparedOffers {
  const candidates: Candidate[] = []
  for (const key of resource.offers) {
    const [name = '', intent = ''] = key.split('/')
    const method = gate.methods.find(name, intent)
    const request = method?.request(resource)
    if (!request) continue
    const template = ChallengeTemplate.from({
      secret: gate.config.secrets[0]!,
      realm: gate.config.realm,
      method: name,
      intent,
      request,
      ...(resource.title ? { description: resource.title } : {}),
    })
    candidates.push({ method: name, intent, key, template })
  }
  let x402: PreparedOffers['x402'] = null
  const adapter = gate.methods.x402
  const requirements = adapter && candidates.some((c) => c.key === adapter.over) ? adapter.requirements(resource) : null
  if (adapter && requirements) {
    const description = resource.description || resource.title
    const info: PaymentRequired.ResourceInfo = {
      url: resource.url,
      ...(description ? { description } : {}),
      ...(resource.mimeType ? { mimeType: resource.mimeType } : {}),
    }
    x402 = {
      over: adapter.over,
      resource: info,
      requirements,
      header: PaymentRequired.encode(PaymentRequired.from({ resource: info, accepts: [requirements] })),
    }
  }
  const problem = new Problem.PaymentRequiredError(`Payment is required: ${resource.title ?? resource.url} costs $${resource.priceUsd}.`)
  return { candidates, x402, paymentRequired: { problem, body: new TextEncoder().encode(JSON.stringify(Problem.toJSON(problem))) } }
}

/**
 * Fresh challenges for a resource, filtered and ordered by the client's Accept-Payment; `digest` binds a
 * request body; `x402Error` goes into PAYMENT-REQUIRED when the refusal explains an x402 payment.
 */
export function issueOffers(
  gate: Gate,
  resource: PricedResource,
  options: { acceptPayment?: string | null; digest?: string; x402Error?: string },
): Offers {
  const offers = preparedOffers(gate, resource)
  const expires = new Date(gate.clock.now().getTime() + gate.config.challengeTtlSeconds * 1000)
  // Malformed or unmatched Accept-Payment leaves the normal set, as the spec allows.
  const selected = AcceptPayment.select(offers.candidates, options.acceptPayment)
  const challenges = selected.map((offer) =>
    ChallengeTemplate.issue(offer.template, {
      expires,
      ...(options.digest ? { digest: options.digest } : {}),
      // The nonce makes every challenge unique, even two issued in the same millisecond to two payers.
      // `grant`: the terms a route's grant will be bound to, so the card checkout names the same grant (grant-scope.ts).
      opaque: { resource: resource.key, ...(resource.grantScope ? { grant: resource.grantScope } : {}), nonce: challengeNonce() },
    }),
  )
  const x402 = offers.x402 && selected.some((o) => o.key === offers.x402!.over) ? offers.x402 : null
  const paymentRequired = !x402
    ? null
    : options.x402Error === undefined
      ? x402.header
      : PaymentRequired.encode(PaymentRequired.from({ resource: x402.resource, accepts: [x402.requirements], error: options.x402Error }))
  gate.stats.count(resource.key)
  return { challenges, paymentRequired }
}
