// POST /api/checkout/payment-intent: the checkout's card tab asks for the PaymentIntent of the stripe
// challenge it holds. The challenge must be ours, unexpired, for Stripe and for that resource; the
// answer also sets the grant cookie whose hash the intent carries (see prepared-payment.ts).
import { z } from 'zod'
import { BodyTooLargeError, bodyTooLargeResponse, readJsonBody } from '@/lib/http/read-body'
import { verifyCurrentTerms, verifyOrigin, verifyValidFor } from '@/lib/gate/core/verify-challenge'
import { grantKeyOf, isTermsDigest } from '@/lib/gate/grant-scope'
import { serializeGrantCookie } from '@/lib/gate/http/grant-cookie'
import { jsonProblem } from '@/lib/gate/http/problem-response'
import { linkResource } from '@/lib/gate/link-resource'
import { clientKey } from '@/lib/gate/rate-limit'
import { getGate, type GateRuntime } from '@/lib/gate/runtime'
import { methodKey, type PricedResource } from '@/lib/gate/types'
import * as Links from '@/lib/links'
import * as Money from '@/lib/money'
import * as Challenge from '@/lib/protocol/Challenge'
import * as StripeMethod from '@/lib/protocol/methods/stripe'
import * as Problem from '@/lib/protocol/Problem'
import { StripeUnavailableError, UnchargeableAmountError } from '@/lib/rails/stripe'
import * as LinkSales from '@/lib/store/link-sales'
import { holdClientDigest, unconfirmedHoldExpiry } from './holds'
import * as PreparedPayment from './prepared-payment'

export const CardPaymentIntentInputSchema = z.object({
  /** The priced resource, a path on this origin (`/l/{slug}` or a `withPayment` route) or its absolute URL. */
  url: z.string().min(1).max(2048),
  /** One `WWW-Authenticate: Payment …` challenge as sent, or the decoded challenge (request/opaque as objects). */
  challenge: z.union([z.string().min(1).max(16_384), z.record(z.string(), z.unknown())]),
})
export type CardPaymentIntentInput = z.infer<typeof CardPaymentIntentInputSchema>

export type CardPaymentIntent = {
  /** For Stripe.js only. */
  clientSecret: string
  /** Stripe.js's key, handed over at run time so one build serves any Stripe account. */
  publishableKey: string
  paymentIntentId: string
  /** Where the receipt will be, whichever way the payment gets recorded. */
  receiptUrl: string
}

/** A refusal that is not a payment problem: bad input (400), no such link (404), gone (410), no Stripe (503). */
export class CardCheckoutError extends Error {
  override name = 'CardCheckoutError'
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail)
  }
}

// What the intent is bought against: a payment link, or a withPayment route known only through its challenge.
type Target = { key: string; path: string; link: PricedResource | null; accessMinutes: number | null; offersCard: boolean; capped: boolean }

// The cookie outlives any grant it can open: the grant's own expiry is enforced by the server.
const COOKIE_SECONDS_BEYOND_ACCESS = 24 * 3600

/** The longest a capped link's slot stays held for an unpaid intent: its challenge's expiry plus this (3-D Secure, slow banks). */
export const HOLD_SECONDS_BEYOND_CHALLENGE = 10 * 60

/**
 * Verifies the challenge for `url` and returns its PaymentIntent plus the grant cookie to set. `client`
 * is who asks (clientKey): it bounds the unpaid holds of a capped link one client keeps open.
 * Throws CardCheckoutError, PaymentProblem, StripeUnavailableError.
 */
export async function createCardPaymentIntent(
  gate: GateRuntime,
  input: CardPaymentIntentInput,
  now: Date = new Date(),
  client: string = 'unknown',
): Promise<{ intent: CardPaymentIntent; cookie: string }> {
  const stripe = gate.stripe
  const method = gate.methods.find(StripeMethod.method, StripeMethod.intent)
  if (!stripe || !method) throw new CardCheckoutError(503, 'Card payments are not configured', 'This server takes no card payments.')
  const target = await resolveTarget(gate, input.url)
  const challenge = parseChallenge(input.challenge)

  // The gate's own checks (binding, realm, expiry, resource, current terms), with the checkout's clock.
  const checked = { ...gate, clock: { now: () => now } }
  verifyOrigin(checked, challenge)
  if (challenge.method !== StripeMethod.method || challenge.intent !== StripeMethod.intent)
    throw new Problem.MethodUnsupportedError(
      `a card payment needs a ${StripeMethod.method}/${StripeMethod.intent} challenge, not ${challenge.method}/${challenge.intent}`,
    )
  verifyValidFor(checked, challenge, target.key)
  if (!target.offersCard) throw new Problem.MethodUnsupportedError('this link does not accept card payments')
  const request = StripeMethod.parseRequest(challenge.request)
  // A link's price is known here: refuse a stale challenge before the payer is charged for it.
  if (target.link) verifyCurrentTerms(method, challenge, target.link)

  // A route's price is only known through its challenge, whose request the binding vouches for.
  const cents = BigInt(request.amount)
  const priceUsd = target.link?.priceUsd ?? Money.normalizeDecimal(`${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`)
  const prepared = PreparedPayment.preparePayment(gate.config.secrets[0]!, challenge.id, target.key)
  // A route's grant is bound to the terms its challenge was priced at (the binding vouches for opaque).
  const grant = challenge.opaque?.grant
  const grantKey = grantKeyOf({ key: target.key, ...(!target.link && isTermsDigest(grant) ? { grantScope: grant } : {}) })
  // A capped link's slot is held before the intent exists, so no card is charged for a copy that is gone.
  const linkId = target.link?.linkId
  const holder = { key: holdClientDigest(gate.config.secrets[0]!, client), maxOpen: gate.config.cardHolds.perClient }
  const hold =
    linkId && target.capped
      ? await LinkSales.holdForCard(gate.db, {
          linkId,
          challengeId: challenge.id,
          // Short until Stripe shows the payer confirming (card-holds.ts), which extends it.
          expiresAt: unconfirmedHoldExpiry(gate.config.cardHolds, holdExpiry(challenge, gate.config.challengeTtlSeconds, now), now),
          now,
          client: holder,
        })
      : null
  if (hold === 'client-limit') {
    const next = await LinkSales.nextClientHoldExpiry(gate.db, { linkId: linkId!, clientKey: holder.key, now })
    const seconds = Math.max(1, Math.ceil(((next?.getTime() ?? now.getTime()) - now.getTime()) / 1000))
    throw new CardCheckoutError(
      429,
      'Too many unpaid card checkouts',
      `You already hold ${holder.maxOpen} unpaid card checkouts of this limited link. Pay one of them, or retry in ${seconds} seconds. No card was charged.`,
      { 'retry-after': String(seconds) },
    )
  }
  if (hold === 'sold-out')
    throw new CardCheckoutError(
      410,
      'Sold out',
      'This link has sold out: its last copies are sold or held by payments in progress. No card was charged.',
    )
  let created
  try {
    created = await stripe.createPaymentIntentForChallenge({
      challengeId: challenge.id,
      linkId: target.link?.linkId ?? target.key,
      amountCents: cents,
      currency: request.currency,
      ...(target.link?.title ? { description: target.link.title } : {}),
      metadata: PreparedPayment.toMetadata(prepared, { key: target.key, priceUsd, grantKey }),
    })
  } catch (error) {
    if (hold === 'taken') await LinkSales.releaseHold(gate.db, { linkId: linkId!, challengeId: challenge.id })
    if (error instanceof UnchargeableAmountError) throw new CardCheckoutError(400, 'Amount not payable by card', error.message)
    throw error
  }
  if (hold) await LinkSales.attachPaymentIntent(gate.db, { linkId: linkId!, challengeId: challenge.id, paymentIntentId: created.id })
  const accessSeconds = (target.accessMinutes ?? 0) * 60
  const cookie = serializeGrantCookie({
    resourceKey: grantKey,
    token: prepared.grantToken,
    path: target.path,
    expiresAt: new Date(now.getTime() + (accessSeconds + COOKIE_SECONDS_BEYOND_ACCESS) * 1000),
    secure: gate.config.publicUrl.protocol === 'https:',
    now,
  })
  return {
    intent: {
      clientSecret: created.clientSecret,
      publishableKey: stripe.publishableKey,
      paymentIntentId: created.id,
      receiptUrl: `/receipts/${prepared.paymentId}`,
    },
    cookie,
  }
}

/** A url and one challenge (16 KB as text, larger as a decoded object): nothing legitimate comes near it. */
export const MAX_BODY_BYTES = 64 * 1024

/** The route: JSON in, rate-limited like credentials, problem+json out. */
export async function handleCardPaymentIntentRequest(request: Request): Promise<Response> {
  const gate = await getGate()
  const limited = gate.limits.credentials.hit(clientKey(request))
  if (!limited.allowed)
    return jsonProblem(429, 'Too many requests', `Slow down; retry in ${limited.retryAfterSeconds} seconds.`, {
      'retry-after': String(limited.retryAfterSeconds),
    })
  // JSON only: a cross-site form cannot send it without a CORS preflight, which this route never grants.
  if (!request.headers.get('content-type')?.toLowerCase().startsWith('application/json'))
    return jsonProblem(415, 'Unsupported media type', 'Send a JSON body.')
  let input: CardPaymentIntentInput
  try {
    input = CardPaymentIntentInputSchema.parse(await readJsonBody(request, MAX_BODY_BYTES))
  } catch (error) {
    if (error instanceof BodyTooLargeError) return bodyTooLargeResponse(error)
    return jsonProblem(400, 'Invalid request', 'Expected a JSON body {"url": "/l/…", "challenge": "Payment id=…"}.')
  }
  try {
    const { intent, cookie } = await createCardPaymentIntent(gate, input, new Date(), clientKey(request))
    return Response.json(intent, { headers: { 'cache-control': 'no-store', 'set-cookie': cookie } })
  } catch (error) {
    if (error instanceof Problem.PaymentProblem) {
      return new Response(JSON.stringify(Problem.toJSON(error)), {
        status: error.status,
        headers: { 'content-type': Problem.contentType, 'cache-control': 'no-store' },
      })
    }
    if (error instanceof CardCheckoutError) return jsonProblem(error.status, error.title, error.detail, error.headers)
    if (error instanceof StripeUnavailableError)
      return jsonProblem(503, 'Card payments unavailable', error.detail, { 'retry-after': String(error.retryAfterSeconds) })
    throw error
  }
}

async function resolveTarget(gate: GateRuntime, url: string): Promise<Target> {
  let parsed: URL
  try {
    parsed = new URL(url, gate.config.publicUrl)
  } catch {
    throw new CardCheckoutError(400, 'Invalid url', 'url must be a path on this server.')
  }
  if (parsed.origin !== gate.config.publicUrl.origin) throw new CardCheckoutError(400, 'Invalid url', 'url must be a path on this server.')
  const path = parsed.pathname
  // Stripe metadata values hold 500 characters; the resource key must fit.
  if (path.length > 400) throw new CardCheckoutError(400, 'Invalid url', 'url is too long to pay by card.')
  const slug = /^\/l\/([A-Za-z0-9-]{1,64})$/.exec(path)?.[1]
  if (!slug) return { key: `route:GET ${path}`, path, link: null, accessMinutes: null, offersCard: true, capped: false }
  const link = await Links.getLinkBySlug(gate.db, slug)
  if (!link) throw new CardCheckoutError(404, 'Link not found', `There is no payment link at /l/${slug}.`)
  const paid = link.maxPayments === null ? 0 : await Links.countLinkPayments(gate.db, link.id)
  if (Links.linkAvailability(link, paid) !== 'ok') throw new CardCheckoutError(410, 'Link unavailable', 'This link no longer sells.')
  const resource = linkResource(link, gate.config.publicUrl)
  return {
    key: resource.key,
    path: new URL(resource.url).pathname,
    link: resource,
    accessMinutes: link.accessPolicy.kind === 'window' ? link.accessPolicy.minutes : null,
    offersCard: resource.offers.includes(methodKey(StripeMethod.method, StripeMethod.intent)),
    capped: link.maxPayments !== null,
  }
}

// The hold outlives the challenge: a payer who confirmed just before expiry may still be in 3-D Secure.
function holdExpiry(challenge: Challenge.Challenge, ttlSeconds: number, now: Date): Date {
  const parsed = challenge.expires ? Date.parse(challenge.expires) : Number.NaN
  const expires = Number.isNaN(parsed) ? now.getTime() + ttlSeconds * 1000 : parsed
  return new Date(expires + HOLD_SECONDS_BEYOND_CHALLENGE * 1000)
}

function parseChallenge(value: CardPaymentIntentInput['challenge']): Challenge.Challenge {
  try {
    return typeof value === 'string' ? Challenge.deserialize(value) : Challenge.from(value as Challenge.Challenge)
  } catch (error) {
    if (error instanceof Challenge.MalformedChallengeError || error instanceof Challenge.InvalidChallengeFieldsError)
      throw new Problem.InvalidChallengeError(`the challenge cannot be read: ${error.message}`)
    throw error
  }
}
