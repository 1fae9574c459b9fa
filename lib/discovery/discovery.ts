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
import { serviceResource } from '@/lib/gate/service-request'
import { listPricedOperations, type Price, type Settle } from '@/lib/gateway/price-rules'
import type { MethodRegistry, PricedResource } from '@/lib/gate/types'
import { routeResource, type PriceSpec } from '@/lib/gate/with-payment'

/**
 * A discovery payment offer: amount in the currency's base units (token units, or cents for usd). A `session`
 * offer's amount is the price of one unit; the draft's offer schema admits no other field, so its description
 * names the unit as the challenge's `unitType` does ("per unitType=llm_token").
 */
export type PaymentOffer = { intent: string; method: string; amount: string | null; currency: string; description?: string }

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
    if (Links.isServiceLink(link)) {
      addServiceOperations(paths, input, link)
      continue
    }
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

/**
 * A service link's API: each pricing rule as an operation at its path template with its price (free routes
 * without x-payment-info), its JSON-RPC prices on POST at the link, and the default price for any other
 * request. The first rule that matches a request sets its price, so a path and method listed earlier wins.
 */
function addServiceOperations(paths: Record<string, Record<string, unknown>>, input: DiscoveryInput, link: Links.ServiceLink): void {
  const listed = listPricedOperations(Links.servicePriceTable(link))
  const base = `/l/${link.slug}`
  const add = (path: string, method: string, operation: Record<string, unknown>) => {
    if (paths[path]?.[method]) return
    paths[path] = { ...paths[path], [method]: operation }
  }
  const priced = (price: Price, settle: Settle | null, label: string) => {
    if (price === 'free') return {}
    const resource = serviceResource(input, link, {
      method: 'GET',
      target: { subpath: '', search: '' },
      body: null,
      priceUsd: price,
      settle: settle ?? 'before',
      label,
    })
    const offers = offersFor(input.methods, resource)
    return offers.length > 0 ? { 'x-payment-info': { offers } } : {}
  }
  const operation = (summary: string, price: Price, settle: Settle | null, extra: Record<string, unknown> = {}) => ({
    summary,
    tags: ['services'],
    ...(settle === 'after-success' ? { description: 'Settled only after a successful answer (not 5xx, 401, 403, 407 or 429).' } : {}),
    ...priced(price, settle, summary),
    ...extra,
    responses: {
      '200': { description: "The service's answer" },
      ...(price === 'free' ? {} : { '402': { description: 'Payment Required' } }),
    },
  })
  // Whatever the upstream takes: the gateway forwards any body (up to its limit) as it is.
  const anyBody = (method: string) =>
    ['post', 'put', 'patch'].includes(method) ? { requestBody: { required: false, content: { '*/*': {} } } } : {}
  for (const rule of listed.operations) {
    const path = rule.openApiPath === '/' ? base : `${base}${rule.openApiPath}`
    for (const method of rule.openApiMethods) add(path, method, operation(rule.summary, rule.price, rule.settle, anyBody(method)))
  }
  if (listed.jsonRpc) {
    const rpc = listed.jsonRpc
    const call = operation(`${link.title}: JSON-RPC, priced per method`, rpc.defaultPrice, rpc.settle, {
      'x-json-rpc-methods': [...rpc.methods.map((m) => ({ method: m.name, price: m.price })), { method: '*', price: rpc.defaultPrice }],
      requestBody: {
        required: true,
        content: {
          'application/json': { schema: { description: 'A JSON-RPC 2.0 call, or a batch (an array of calls)', type: ['object', 'array'] } },
        },
      },
    }) as Record<string, unknown> & { 'x-payment-info'?: { offers: PaymentOffer[] } }
    // The amount depends on the call (a batch costs the sum): the offers name the method and currency only.
    if (call['x-payment-info'])
      call['x-payment-info'] = {
        offers: call['x-payment-info'].offers.map((offer) => ({
          ...offer,
          amount: null,
          description: 'Priced per JSON-RPC method (x-json-rpc-methods, in USD); a batch costs the sum of its calls.',
        })),
      }
    add(base, 'post', call)
  }
  const summary = `${link.title}: any other request`
  for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
    if (method === 'post' && listed.jsonRpc) continue
    add(base, method, operation(summary, listed.defaultPrice, listed.settle, anyBody(method)))
    add(`${base}/{path}`, method, operation(summary, listed.defaultPrice, listed.settle, anyBody(method)))
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
