// What a priced resource offers, with every part that does not change between two 402s built once:
// each rail's charge request as a challenge template, the x402 PAYMENT-REQUIRED value and the
// payment-required problem. Kept per resource object (a cached link's resource lives as long as its
// cache entry), so price, recipient or title changes apply as soon as the resource is rebuilt.
import * as ChallengeTemplate from '@/lib/protocol/ChallengeTemplate'
import * as Problem from '@/lib/protocol/Problem'
import * as PaymentRequired from '@/lib/protocol/x402/PaymentRequired'
import type * as PaymentRequirements from '@/lib/protocol/x402/PaymentRequirements'
import type { Gate } from './gate'
import type { PricedResource, RailName } from './priced-resource'

export type Candidate = { method: RailName; intent: 'charge'; template: ChallengeTemplate.ChallengeTemplate }

export type PreparedOffers = {
  /** Every rail that can sell this resource, in the resource's order. */
  candidates: Candidate[]
  /** The x402 offer for the EVM rail, or null when x402 is off or the resource is not sold on evm. */
  x402: { resource: PaymentRequired.ResourceInfo; requirements: PaymentRequirements.ExactEvm; header: string } | null
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
  for (const name of resource.rails) {
    const rail = gate.rails.find((r) => r.name === name)
    const request = rail?.chargeRequest(resource)
    if (!request) continue
    const template = ChallengeTemplate.from({
      secret: gate.config.secrets[0]!,
      realm: gate.config.realm,
      method: name,
      intent: 'charge',
      request,
      ...(resource.title ? { description: resource.title } : {}),
    })
    candidates.push({ method: name, intent: 'charge', template })
  }
  let x402: PreparedOffers['x402'] = null
  const requirements = gate.x402 && candidates.some((c) => c.method === 'evm') ? gate.x402.requirements(resource) : null
  if (requirements) {
    const description = resource.description || resource.title
    const info: PaymentRequired.ResourceInfo = {
      url: resource.url,
      ...(description ? { description } : {}),
      ...(resource.mimeType ? { mimeType: resource.mimeType } : {}),
    }
    x402 = {
      resource: info,
      requirements,
      header: PaymentRequired.encode(PaymentRequired.from({ resource: info, accepts: [requirements] })),
    }
  }
  const problem = new Problem.PaymentRequiredError(`Payment is required: ${resource.title ?? resource.url} costs $${resource.priceUsd}.`)
  return { candidates, x402, paymentRequired: { problem, body: new TextEncoder().encode(JSON.stringify(Problem.toJSON(problem))) } }
}
