// `withPayment(handler, price)`: put a price on any App Router route handler in one line.
import type { Address } from 'viem'
import { getAddress } from 'viem'
import { NextRequest } from 'next/server'
import { BodyTooLargeError, bodyTooLargeResponse, readBody } from '@/lib/http/read-body'
import * as Intent from '@/lib/protocol/Intent'
import { canonicalQuery, termsDigest } from './grant-scope'
import { handlePayment } from './http/handle-payment'
import { answeringOutages } from './outage'
import { getGate } from './runtime'
import { methodKey, type PricedResource, type RailName } from './types'

export type PriceSpec =
  | string
  | {
      /** Decimal USD, e.g. "0.01". */
      amount: string
      /** Who gets paid; defaults to PAYMENT_RECIPIENT. */
      recipient?: Address
      description?: string
      rails?: RailName[]
      /** Minutes a payment keeps unlocking this route for the payer's browser; default: each call is paid. */
      accessMinutes?: number
      /** The largest request body this route reads (default 1 MB); a larger one is answered 413 unread. */
      maxBodyBytes?: number
    }

type RouteHandler<C> = (request: NextRequest, context: C) => Response | Promise<Response>
type Pricing<C> = PriceSpec | ((request: NextRequest, context: C) => PriceSpec | Promise<PriceSpec>)

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** What a route reads unless its price spec says otherwise (a price function's route reads at most this). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

export function withPayment<C>(handler: RouteHandler<C>, price: Pricing<C>): (request: NextRequest, context: C) => Promise<Response> {
  return (request, context) =>
    answeringOutages(async () => {
      const gate = await getGate()
      // The body is read once, with a limit: it is bound to the challenge (digest) and replayed to the handler.
      const limit = typeof price === 'object' ? (price.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES) : DEFAULT_MAX_BODY_BYTES
      let body: Uint8Array<ArrayBuffer> | null
      try {
        body = METHODS_WITH_BODY.has(request.method) ? await readBody(request, limit) : null
      } catch (error) {
        if (error instanceof BodyTooLargeError) return bodyTooLargeResponse(error)
        throw error
      }
      const replay = () =>
        new NextRequest(request.url, { method: request.method, headers: request.headers, body: body && body.byteLength > 0 ? body : null })
      const pricedByRequest = typeof price === 'function'
      const spec = pricedByRequest ? await price(replay(), context) : price
      // A price function may lower the limit for the request it priced, not raise it past what was read.
      const priced = typeof spec === 'object' ? spec.maxBodyBytes : undefined
      if (body && priced !== undefined && body.byteLength > priced) return bodyTooLargeResponse(new BodyTooLargeError(priced))
      const resource = routeResource(request, spec, gate.config.publicUrl, gate.config.defaultRecipient, { pricedByRequest })
      return handlePayment(gate, request, resource, async () => handler(replay(), context), body)
    })
}

/**
 * The priced resource a withPayment route sells for this method and URL (also what /openapi.json advertises).
 * `pricedByRequest`: the price came from a function of the request, so its grants are bound to the query too.
 */
export function routeResource(
  request: { method: string; nextUrl: { pathname: string; search: string } },
  spec: PriceSpec,
  publicUrl: URL,
  defaultRecipient: Address | null,
  options: { pricedByRequest?: boolean } = {},
): PricedResource {
  const s = typeof spec === 'string' ? { amount: spec } : spec
  const recipient = s.recipient ?? defaultRecipient
  if (!recipient) throw new Error('withPayment: no recipient — pass { recipient } or set PAYMENT_RECIPIENT')
  const path = request.nextUrl.pathname
  const payee = getAddress(recipient)
  return {
    key: `route:${request.method === 'HEAD' ? 'GET' : request.method} ${path}`,
    url: new URL(path + request.nextUrl.search, publicUrl).toString(),
    priceUsd: s.amount,
    recipient: payee,
    offers: (s.rails ?? ['evm', 'stripe']).map((rail) => methodKey(rail, Intent.charge)),
    ...(s.description ? { description: s.description, title: s.description } : {}),
    accessPolicy: s.accessMinutes ? { kind: 'window', minutes: s.accessMinutes } : { kind: 'once' },
    // The key drops the query; the grant keeps what was priced (a grant for ?size=small never opens ?size=large).
    grantScope: termsDigest({
      priceUsd: s.amount,
      recipient: payee,
      ...(options.pricedByRequest ? { variant: canonicalQuery(request.nextUrl.search) } : {}),
    }),
  }
}
