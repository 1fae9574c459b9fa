// `withPayment(handler, price)`: put a price on any App Router route handler in one line.
import type { Address } from 'viem'
import { getAddress } from 'viem'
import { NextRequest } from 'next/server'
import type { Db } from '@/lib/store/db'
import * as Merchants from '@/lib/store/merchants'
import { BodyTooLargeError, bodyTooLargeResponse, readBody } from '@/lib/http/read-body'
import * as Intent from '@/lib/protocol/Intent'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import { canonicalQuery, termsDigest } from './grant-scope'
import { handlePayment } from './http/handle-payment'
import { jsonProblem } from './http/problem-response'
import { sessionPaymentOf, sessionRecipientProblem } from './methods/evm-session'
import { answeringOutages } from './outage'
import { getGate } from './runtime'
import { attachSessionMeter, createSessionMeter } from './session-meter'
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
      /**
       * Sell the route by the unit over `evm/session` payment channels: `amount` is then one unit's price. The
       * recipient must be the server's settlement account. With `session`, `rails` (per-call charges) default to none.
       */
      session?: SessionPriceSpec
    }

export type SessionPriceSpec = {
  /** What one unit is (the challenge's `unitType`); default `request`. */
  unitType?: string
  /** Decimal USD a new channel should hold, e.g. "0.10". */
  suggestedDeposit?: string
  /** Decimal USD: the smallest increase a voucher may bring (fewer, larger vouchers for a stream). */
  minVoucherDelta?: string
  /** Units charged when a request is paid (a stream's reservation, before it meters the rest); default 1. */
  unitsPerRequest?: number
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
        new NextRequest(request.url, {
          method: request.method,
          headers: request.headers,
          body: body && body.byteLength > 0 ? body : null,
          // A stream stops when its client goes away.
          signal: request.signal,
        })
      const pricedByRequest = typeof price === 'function'
      const spec = pricedByRequest ? await price(replay(), context) : price
      // A price function may lower the limit for the request it priced, not raise it past what was read.
      const priced = typeof spec === 'object' ? spec.maxBodyBytes : undefined
      if (body && priced !== undefined && body.byteLength > priced) return bodyTooLargeResponse(new BodyTooLargeError(priced))
      const resource = routeResource(request, spec, gate.config.publicUrl, gate.config.defaultRecipient, { pricedByRequest })
      const misconfigured = resource.session && gate.sessions ? sessionRecipientProblem(gate.sessions, resource.recipient) : null
      if (misconfigured) return refuseMisconfiguredSession(resource, misconfigured)
      // A route sold as a session belongs to the merchant of the settlement account it pays: its channels are
      // that merchant's (one channel pays its links and routes alike, and the dashboard shows it).
      if (resource.session) resource.merchantId = await settlementMerchant(gate.db, resource.recipient)
      return handlePayment(
        gate,
        request,
        resource,
        async (_payment, paid) => {
          const forHandler = replay()
          const session = sessionPaymentOf(paid)
          // A route sold by the unit meters its own delivery (a stream) on the channel that paid.
          if (session) attachSessionMeter(forHandler, createSessionMeter(session))
          return handler(forHandler, context)
        },
        body,
      )
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
    offers: [
      ...(s.rails ?? (s.session ? [] : ['evm', 'stripe'])).map((rail) => methodKey(rail, Intent.charge)),
      ...(s.session ? [methodKey(EvmSession.method, EvmSession.intent)] : []),
    ],
    ...(s.session
      ? {
          session: {
            unitType: s.session.unitType ?? 'request',
            ...(s.session.suggestedDeposit ? { suggestedDepositUsd: s.session.suggestedDeposit } : {}),
            ...(s.session.minVoucherDelta ? { minVoucherDeltaUsd: s.session.minVoucherDelta } : {}),
            ...(s.session.unitsPerRequest !== undefined ? { unitsPerRequest: s.session.unitsPerRequest } : {}),
          },
        }
      : {}),
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

const reported = new Set<string>()

/** A route priced as a session for a recipient the server cannot settle for: the operator's mistake, said plainly (once in the log). */
function refuseMisconfiguredSession(resource: PricedResource, why: string): Response {
  if (!reported.has(resource.key)) {
    reported.add(resource.key)
    console.error(`withPayment ${resource.key}: ${why}`)
  }
  return jsonProblem(503, 'This route cannot be paid by session', `This route is misconfigured: ${why}.`)
}

const merchantOfAddress = new Map<string, { id: string | null; until: number }>()

/** The merchant signed in with `address`, if any; cached for a minute (a merchant's first sign-in shows up then). */
async function settlementMerchant(db: Db, address: Address): Promise<string | null> {
  const cached = merchantOfAddress.get(address)
  if (cached && cached.until > Date.now()) return cached.id
  const id = (await Merchants.getByAddress(db, address))?.id ?? null
  merchantOfAddress.set(address, { id, until: Date.now() + 60_000 })
  return id
}
