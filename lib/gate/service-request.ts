// A request to a service link, /l/{slug}/{path}?{query} with any forwarded method: priced by the link's
// rules (lib/gateway/price-rules), paid through the gate core as a resource of its own (this method,
// path, query and body), forwarded to the upstream and streamed back with the receipt. Settle `before`
// pays, then forwards; `after-success` holds the payment and settles only an answer the payer should
// pay for (lib/gateway/settle-after). docs/gateway.md has the whole story.
import { createHash } from 'node:crypto'
import { getAddress } from 'viem'
import { forwardToUpstream, InvalidUpstreamPathError, UpstreamError } from '@/lib/gateway/forward'
import { canonicalPath } from '@/lib/gateway/path-pattern'
import { isHttpMethod, priceRequest, type HttpMethod } from '@/lib/gateway/price-rules'
import { settlesAfterAnswer } from '@/lib/gateway/settle-after'
import { UpstreamSecretError } from '@/lib/gateway/upstream-secret'
import { BodyTooLargeError, bodyTooLargeResponse, readBody } from '@/lib/http/read-body'
import { rawRequestTarget } from '@/lib/http/request-target'
import * as Links from '@/lib/links'
import * as Outbound from '@/lib/outbound'
import * as Intent from '@/lib/protocol/Intent'
import * as LinkStore from '@/lib/store/links'
import { decide, type DecideOptions } from './core/decide'
import { termsDigest } from './grant-scope'
import { jsonRpcDecisionInput, jsonRpcProblem, readJsonRpcCall, respondJsonRpc } from './http/json-rpc-binding'
import { decisionInput } from './http/payment-input'
import { jsonProblem, problemResponse } from './http/problem-response'
import { respond } from './http/respond'
import { methodKey, type Deliver, type Gate, type PricedResource } from './types'

/** The largest request body a service link forwards; a larger one is answered 413 unread. */
export const SERVICE_MAX_BODY_BYTES = 1024 * 1024

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** What the route saw of the request below the link: the raw (still percent-encoded) path and query. */
export type ServiceTarget = { subpath: string; search: string }

/**
 * The raw path below `/l/{slug}` and the raw query of a request, as the client sent them (not Next's decoded
 * params nor its rebuilt query): '/l/x/v1/chat?x=1' -> { subpath: '/v1/chat', search: '?x=1' }. Null when it
 * is not a link URL.
 */
export function serviceTarget(request: Request): ServiceTarget | null {
  const target = rawRequestTarget(request)
  const match = /^\/l\/[^/]+(\/.*)?$/.exec(target.pathname)
  if (!match) return null
  return { subpath: match[1] ?? '', search: target.search }
}

export async function sellService(
  gate: Gate,
  request: Request,
  link: Links.ServiceLink,
  target: ServiceTarget,
  options: DecideOptions = {},
): Promise<Response> {
  const method = request.method
  if (!isHttpMethod(method))
    return jsonProblem(405, 'Method not allowed', `${method.slice(0, 16)} requests are not forwarded.`, { allow: allowedMethods })
  let body: Uint8Array<ArrayBuffer> | null
  try {
    body = METHODS_WITH_BODY.has(method) ? await readBody(request, SERVICE_MAX_BODY_BYTES) : null
  } catch (error) {
    if (error instanceof BodyTooLargeError) return bodyTooLargeResponse(error)
    throw error
  }
  // A JSON-RPC request that carries `_meta` is answered in JSON-RPC (MPP's generic JSON-RPC binding).
  const call = method === 'POST' ? readJsonRpcCall(body) : null
  const forwarded = call ? new TextEncoder().encode(call.forwardText) : body
  const price = priceRequest(Links.servicePriceTable(link), {
    method,
    path: target.subpath,
    body: forwarded,
    contentType: request.headers.get('content-type'),
  })
  if (price.kind === 'invalid')
    return call ? jsonRpcProblem(call, 400, 'Invalid request', price.detail) : jsonProblem(400, 'Invalid request', price.detail)
  const forward = () => forwardFor(gate, request, link, target, method, forwarded, call !== null)
  if (price.kind === 'free') {
    // A link that no longer sells is closed to free calls too.
    if (options.closed)
      return call
        ? jsonRpcProblem(call, 410, options.closed.title, options.closed.detail)
        : jsonProblem(410, options.closed.title, options.closed.detail)
    return forward().catch(upstreamProblem(link))
  }

  // What a challenge binds: the body as sent, or in the JSON-RPC binding the call itself (not its id or `_meta`).
  const bound = call ? new TextEncoder().encode(call.boundCall) : body
  const resource = serviceResource(gate, link, {
    method,
    target,
    body: bound,
    priceUsd: price.priceUsd,
    settle: price.settle,
    label: price.label,
  })
  const input = decisionInput(request, resource, bound)
  const outcome = await decide(gate, resource, call ? jsonRpcDecisionInput(input, call) : input, serviceDelivery(link, forward), options)
  if (call) return respondJsonRpc(gate, request, resource, call, outcome)
  // An API answers a person's browser with the same 402 as a program: there is no checkout page for a call.
  if (outcome.kind === 'payment-required') {
    const response = problemResponse(outcome.problem, outcome.offers, outcome.problemJson)
    if (outcome.retryAfterSeconds) response.headers.set('retry-after', String(outcome.retryAfterSeconds))
    return response
  }
  return respond(gate, request, resource, outcome)
}

const allowedMethods = 'GET, HEAD, POST, PUT, PATCH, DELETE'

/**
 * This request as a resource of its own. Its key is the link's (challenge binding, payments, stats), and its
 * grant scope is the call itself — method, canonical path, query and body — which the challenge must name
 * too, so neither a credential nor a retry grant bought for one call opens another. Service links issue
 * no window grants: every call is paid (a grant is only the one retry of a call whose answer failed).
 */
export function serviceResource(
  gate: { config: Pick<Gate['config'], 'publicUrl'>; db: Gate['db'] },
  link: Links.ServiceLink,
  call: {
    method: HttpMethod
    target: ServiceTarget
    body: Uint8Array | null
    priceUsd: string
    settle: 'before' | 'after-success'
    label: string
  },
): PricedResource {
  const recipient = getAddress(link.recipient)
  const path = canonicalPath(call.target.subpath)
  const variant = JSON.stringify([
    call.method === 'HEAD' ? 'GET' : call.method,
    path.ok ? path.path : call.target.subpath,
    call.target.search,
    call.body && call.body.byteLength > 0 ? createHash('sha256').update(call.body).digest('base64url') : '',
  ])
  const db = gate.db
  return {
    key: `link:${link.id}`,
    url: new URL(`/l/${link.slug}${call.target.subpath}${call.target.search}`, gate.config.publicUrl).toString(),
    priceUsd: call.priceUsd,
    recipient,
    offers: link.rails.map((rail) => methodKey(rail, Intent.charge)),
    title: `${link.title}: ${call.label}`,
    ...(link.description ? { description: link.description } : {}),
    linkId: link.id,
    merchantId: link.merchantId,
    accessPolicy: { kind: 'once' },
    grantScope: termsDigest({ priceUsd: call.priceUsd, recipient, variant }),
    scopeBindsChallenge: true,
    settle: call.settle,
    ...(link.maxPayments !== null
      ? { reserveSale: async () => ((await LinkStore.reserveSale(db, link.id)) ? () => LinkStore.releaseSale(db, link.id) : null) }
      : {}),
  }
}

async function forwardFor(
  gate: Gate,
  request: Request,
  link: Links.ServiceLink,
  target: ServiceTarget,
  method: HttpMethod,
  body: Uint8Array | null,
  jsonRpcBinding: boolean,
): Promise<Response> {
  return forwardToUpstream({
    upstreamBase: link.resource.upstreamUrl,
    subpath: target.subpath,
    search: target.search,
    method,
    // The binding puts the receipt into the answer's JSON: ask the upstream for it uncompressed.
    headers: jsonRpcBinding ? withoutAcceptEncoding(request.headers) : request.headers,
    body,
    secretHeaders: await Links.serviceSecretHeaders(gate.db, link),
    forwardHeaders: link.resource.forwardHeaders,
    timeoutMs: link.resource.timeoutSeconds * 1000,
    outbound: Outbound.outboundPolicyFromEnv(),
    signal: request.signal,
    downloadName: link.slug,
  })
}

/**
 * The upstream's answer as the gate's delivery: a failure (nothing settled after success; a retry grant
 * when settled before) unless settlesAfterAnswer says the payer got what they pay for. When the upstream
 * gives no answer, the payer gets a problem that names nothing of it.
 */
function serviceDelivery(link: Links.ServiceLink, forward: () => Promise<Response>): Deliver<Response> {
  return async () => {
    let value: Response
    try {
      value = await forward()
    } catch (error) {
      const problem = upstreamProblem(link)(error)
      return { value: problem, failure: failureOf(error, problem) }
    }
    const discard = () => void value.body?.cancel().catch(() => {})
    return settlesAfterAnswer(value.status) ? { value, discard } : { value, failure: `the service answered ${value.status}`, discard }
  }
}

/** What the payer hears when the upstream exchange failed; the merchant's side (which names the host) is logged. */
function upstreamProblem(link: Links.ServiceLink): (error: unknown) => Response {
  return (error) => {
    if (error instanceof UpstreamError) {
      if (error.reason !== 'cancelled') console.warn(`service link ${link.id}: ${error.message}`)
      return jsonProblem(error.status, 'The service failed', error.publicDetail)
    }
    if (error instanceof InvalidUpstreamPathError) return jsonProblem(400, 'Invalid request', error.message)
    if (error instanceof UpstreamSecretError) {
      console.warn(`service link ${link.id}: ${error.message}`)
      return jsonProblem(
        502,
        'The service failed',
        "The service's API key is not configured on this server; its merchant must enter it again.",
      )
    }
    throw error
  }
}

function withoutAcceptEncoding(headers: Headers): Headers {
  const copy = new Headers(headers)
  copy.delete('accept-encoding')
  return copy
}

function failureOf(error: unknown, problem: Response): string {
  if (error instanceof UpstreamError) return error.publicDetail.replace(/\.$/, '')
  if (error instanceof UpstreamSecretError) return "the service's API key could not be opened"
  return `the request could not be forwarded (${problem.status})`
}
