// Service discovery (MPP draft-payment-discovery-00): an OpenAPI 3.1 document at /openapi.json whose
// paid operations carry `x-payment-info` offers. Offers come from the same charge requests the 402
// challenges carry, so discovery and the runtime challenge agree (the challenge stays authoritative).
import { and, desc, eq, gt, isNull, or } from 'drizzle-orm'
import * as Links from '@/lib/links'
import type { Db } from '@/lib/store/db'
import type { Link } from '@/lib/store/links'
import { links } from '@/lib/store/schema'
import type { GateConfig } from '@/lib/gate/config'
import { linkResource } from '@/lib/gate/link-resource'
import type { MethodRegistry, PricedResource } from '@/lib/gate/types'
import { routeResource, type PriceSpec } from '@/lib/gate/with-payment'

/**
 * A discovery payment offer: amount in the currency's base units (token units, or cents for usd). A `session`
 * offer's amount is the price of one unit; the draft's offer schema admits no other field, so its description
 * names the unit as the challenge's `unitType` does ("per unitType=llm_token").
 */
export type PaymentOffer = { intent: string; method: string; amount: string; currency: string; description?: string }

type JsonSchema = Record<string, unknown>

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete'

/** A withPayment route as discovery advertises it. */
export type PaidRoute = {
  method: HttpMethod
  path: string
  summary: string
  price: PriceSpec
  /** JSON Schema of the JSON request body, for routes that take one. */
  requestBody?: JsonSchema
  /** JSON Schema of the JSON success response. */
  response?: JsonSchema
}

/**
 * The withPayment routes this app ships. Next loads route modules lazily, so they cannot register
 * themselves before /openapi.json is asked; list a priced route here when you add one (the
 * end-to-end discovery test checks each listed price against the route's live 402).
 */
export const paidRoutes: readonly PaidRoute[] = [
  {
    method: 'get',
    path: '/api/examples/joke',
    summary: 'A joke, freshly told',
    price: { amount: '0.01', description: 'A joke, freshly told' },
    response: { type: 'object', properties: { joke: { type: 'string' } }, required: ['joke'] },
  },
  {
    method: 'post',
    path: '/api/examples/summarize',
    summary: 'Summarize a text',
    price: { amount: '0.02', description: 'Summarize a text' },
    requestBody: { type: 'object', properties: { text: { type: 'string', minLength: 1, maxLength: 20_000 } }, required: ['text'] },
    response: {
      type: 'object',
      properties: { summary: { type: 'string' }, sentences: { type: 'integer' }, words: { type: 'integer' } },
      required: ['summary', 'sentences', 'words'],
    },
  },
  {
    method: 'get',
    path: '/api/examples/stream',
    summary: 'A streamed answer, billed per token (Server-Sent Events)',
    price: {
      amount: '0.0001',
      description: 'A streamed answer, billed per token',
      session: { unitType: 'llm_token', suggestedDeposit: '0.10', minVoucherDelta: '0.001' },
    },
  },
]

/** Links listed at most; a registry reads 64 KB of a document (draft appendix), so the newest come first. */
export const maxListedLinks = 100

export type DiscoveryInput = {
  config: Pick<GateConfig, 'publicUrl' | 'defaultRecipient'>
  db: Db
  methods: MethodRegistry
  routes?: readonly PaidRoute[]
  now?: Date
}

/** One offer per method that can sell this resource here, exactly as its 402 challenge will ask. */
export function offersFor(methods: MethodRegistry, resource: PricedResource): PaymentOffer[] {
  const offers: PaymentOffer[] = []
  for (const key of resource.offers) {
    const [name = '', intent = ''] = key.split('/')
    const request = methods.find(name, intent)?.request(resource)
    if (!request) continue
    const unitType = typeof request.unitType === 'string' ? request.unitType : undefined
    offers.push({
      intent,
      method: name,
      amount: String(request.amount),
      currency: String(request.currency),
      ...(unitType ? { description: `per unitType=${unitType}, paid by vouchers on a payment channel` } : {}),
    })
  }
  return offers
}

export async function discoveryDocument(input: DiscoveryInput): Promise<Record<string, unknown>> {
  const { config, methods } = input
  const origin = config.publicUrl.origin
  const paths: Record<string, Record<string, unknown>> = {}

  for (const route of input.routes ?? paidRoutes) {
    let resource: PricedResource
    try {
      resource = routeResource(
        { method: route.method.toUpperCase(), nextUrl: { pathname: route.path, search: '' } },
        route.price,
        config.publicUrl,
        config.defaultRecipient,
      )
    } catch {
      continue // no recipient configured: the route cannot be paid here, so it is not advertised
    }
    const offers = offersFor(methods, resource)
    if (offers.length === 0) continue
    paths[route.path] = {
      ...paths[route.path],
      [route.method]: {
        summary: route.summary,
        tags: ['routes'],
        'x-payment-info': { offers },
        ...(route.requestBody ? { requestBody: { required: true, content: { 'application/json': { schema: route.requestBody } } } } : {}),
        responses: {
          '200': {
            description: 'The paid response',
            ...(route.response ? { content: { 'application/json': { schema: route.response } } } : {}),
          },
          '402': { description: 'Payment Required' },
        },
      },
    }
  }

  for (const link of await listedLinks(input.db, input.now ?? new Date())) {
    const resource = linkResource(link, config.publicUrl)
    const offers = offersFor(methods, resource)
    if (offers.length === 0) continue
    paths[`/l/${link.slug}`] = {
      get: {
        summary: link.title,
        ...(link.description ? { description: link.description } : {}),
        tags: ['links'],
        'x-payment-info': { offers },
        responses: {
          '200': { description: 'The paid resource', ...(resource.mimeType ? { content: { [resource.mimeType]: {} } } : {}) },
          '402': { description: 'Payment Required' },
          '410': { description: 'The link is no longer sold (deactivated, expired or sold out)' },
        },
      },
    }
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Tollgate',
      version: '1.0.0',
      description:
        'Paid links and API routes. Each operation answers 402 with MPP (WWW-Authenticate: Payment) and x402 (PAYMENT-REQUIRED) challenges; the challenge is authoritative.',
    },
    servers: [{ url: origin }],
    'x-service-info': { categories: ['developer-tools'], docs: { homepage: `${origin}/` } },
    paths,
  }
}

/** The links a stranger could pay right now: active, unexpired, not sold out; newest first. */
async function listedLinks(db: Db, now: Date): Promise<Link[]> {
  const rows = await db
    .select()
    .from(links)
    .where(and(eq(links.active, true), or(isNull(links.expiresAt), gt(links.expiresAt, now))))
    .orderBy(desc(links.createdAt))
    .limit(maxListedLinks)
  const listed: Link[] = []
  for (const link of rows) {
    const paid = link.maxPayments === null ? 0 : await Links.countLinkPayments(db, link.id)
    if (Links.linkAvailability(link, paid, now) === 'ok') listed.push(link)
  }
  return listed
}
