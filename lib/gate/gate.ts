// The gate: one priced request in, one response out. No credential -> 402 with offers in both
// protocols; a credential -> verify binding -> rail settles (atomic claim inside) -> record ->
// deliver with receipt headers and an access grant.
import * as Binding from '@/lib/protocol/Binding'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Credential from '@/lib/protocol/Credential'
import * as Digest from '@/lib/protocol/Digest'
import * as Jcs from '@/lib/protocol/Jcs'
import * as Problem from '@/lib/protocol/Problem'
import * as x402Headers from '@/lib/protocol/x402/Headers'
import * as PaymentSignature from '@/lib/protocol/x402/PaymentSignature'
import { SettlementReplayError } from '@/lib/rails/errors'
import { isDatabaseUnavailable, type Db } from '@/lib/store/db'
import * as Grants from '@/lib/store/grants'
import * as Payments from '@/lib/store/payments'
import type { ChallengeStats } from './challenge-stats'
import type { GateConfig } from './config'
import { deliverPayment, recordPayment, withHeaders } from './deliver-payment'
import { readGrantToken } from './grant-cookie'
import { grantKeyOf } from './grant-scope'
import { jsonProblem, paymentRequiredResponse } from './payment-required'
import type { PricedResource } from './priced-resource'
import { isRailUnavailable, type MppRail, type Settled, type X402Rail } from './rails'
import { clientKey, type RateLimiter } from './rate-limit'
import { recoverReplay } from './replay-recovery'
import { SettlementQuotaExceededError } from './settlement-quota'

export type Gate = {
  config: GateConfig
  db: Db
  rails: MppRail[]
  x402: X402Rail | null
  stats: ChallengeStats
  limits: { challenges: RateLimiter; credentials: RateLimiter }
}

/** Produces the paid-for response. `payment` is null when an access grant (not a new payment) unlocked it. */
export type Deliver = (payment: Payments.Payment | null) => Promise<Response>

export async function handlePayment(
  gate: Gate,
  request: Request,
  resource: PricedResource,
  deliver: Deliver,
  body: Uint8Array | null = null,
): Promise<Response> {
  const hasMpp = request.headers.has('authorization') || request.headers.has(Challenge.paymentAuthorizationHeader)
  const x402Header = request.headers.get(x402Headers.paymentSignature)

  let credential: Credential.Credential | null = null
  let malformed: Problem.PaymentProblem | null = null
  try {
    credential = hasMpp ? (Credential.fromHeaders(request.headers) ?? null) : null
  } catch (error) {
    if (!(error instanceof Problem.PaymentProblem)) throw error
    malformed = error
  }

  // Every presented credential counts, malformed ones too: otherwise garbage would buy unlimited challenges.
  if (malformed || credential || x402Header) {
    const limited = gate.limits.credentials.hit(clientKey(request))
    if (!limited.allowed) return tooManyRequests(limited.retryAfterSeconds)
  }
  if (malformed) return paymentRequiredResponse(gate, request, resource, body, malformed)

  if (!credential && !x402Header) {
    const granted = await serveFromGrant(gate, request, resource, deliver)
    if (granted) return granted
    const limited = gate.limits.challenges.hit(clientKey(request))
    if (!limited.allowed) return tooManyRequests(limited.retryAfterSeconds)
    return paymentRequiredResponse(gate, request, resource, body)
  }

  // A capped resource takes its sale before money moves; a checkout's PaymentIntent took its slot when it was created.
  const release = resource.reserveSale && !paysCheckoutIntent(credential) ? await resource.reserveSale() : undefined
  if (release === null) return jsonProblem(410, 'Link unavailable', 'This link has sold out.')

  let settled: Settled
  try {
    if (credential) {
      const challenge = await verifyChallenge(gate, credential, resource, body)
      const rail = gate.rails.find((r) => r.name === challenge.method)!
      settled = await rail.settle({
        challenge,
        payload: credential.payload,
        ...(credential.source ? { source: credential.source } : {}),
        resource,
      })
    } else {
      const x402 = gate.x402
      if (!x402 || !resource.rails.includes('evm'))
        throw new Problem.MethodUnsupportedError('x402 payments are not accepted for this resource')
      const payment = PaymentSignature.decode(x402Header!)
      const requirements = x402.requirements(resource)
      if (!requirements)
        throw new Problem.VerificationFailedError(
          `at $${resource.priceUsd} this resource is below the smallest payment the server settles on chain and pays the gas for, so x402 exact is not offered: pay with MPP (WWW-Authenticate: Payment) and a "hash" credential`,
        )
      if (!PaymentSignature.matchAccepted(payment.accepted, [requirements]))
        throw new Problem.VerificationFailedError('the accepted payment requirements do not match what this resource requires now')
      settled = await x402.settle({ payment, requirements, resource })
    }
  } catch (error) {
    await release?.()
    if (error instanceof SettlementReplayError) {
      const recovery = await recoverReplay(gate, resource, deliver, error)
      if ('response' in recovery) return recovery.response
      const refused = await paymentRequiredResponse(gate, request, resource, body, recovery.problem)
      if (recovery.retryAfterSeconds) refused.headers.set('retry-after', String(recovery.retryAfterSeconds))
      return refused
    }
    if (error instanceof Problem.PaymentProblem) return paymentRequiredResponse(gate, request, resource, body, error)
    if (error instanceof SettlementQuotaExceededError)
      return jsonProblem(429, 'Too many settlements', error.detail, { 'retry-after': String(error.retryAfterSeconds) })
    if (isRailUnavailable(error))
      return jsonProblem(503, 'Payment network unavailable', error.detail, { 'retry-after': String(error.retryAfterSeconds) })
    throw error
  }

  const payment = await recordPayment(gate, resource, settled, credential ? 'mpp' : 'x402', credential?.challenge.id ?? null)
  return deliverPayment(gate, resource, deliver, payment, settled.grantTokenHash)
}

/** A card checkout's credential: its PaymentIntent was charged already and holds its sale (lib/store/link-sales). */
export function paysCheckoutIntent(credential: Credential.Credential | null | undefined): boolean {
  return (
    credential?.challenge.method === 'stripe' &&
    typeof (credential.payload as { paymentIntent?: unknown } | null)?.paymentIntent === 'string'
  )
}

const noGrant: Promise<null> = Promise.resolve(null)

/** What an access grant cookie unlocks without a new payment; null when there is no valid grant. */
export function serveFromGrant(gate: Gate, request: Request, resource: PricedResource, deliver: Deliver): Promise<Response | null> {
  const token = readGrantToken(request, grantKeyOf(resource))
  // Most requests carry no grant: answer without starting an async call.
  return token ? redeemGrant(gate, token, resource, deliver) : noGrant
}

async function redeemGrant(gate: Gate, token: string, resource: PricedResource, deliver: Deliver): Promise<Response | null> {
  const grant = await Grants.redeem(gate.db, token, grantKeyOf(resource))
  if (!grant) return null
  const payment = await Payments.getById(gate.db, grant.paymentId)
  let response: Response
  try {
    response = await deliver(payment)
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw error
    // The resource failing (an unreachable or refused upstream) is a bad gateway, never a 500.
    response = jsonProblem(502, 'The resource failed', 'The resource behind this link could not be delivered. Try again later.')
  }
  return withHeaders(response, { 'cache-control': 'private' })
}

/** Everything about a credential's challenge that can be checked without I/O, before any rail runs. */
async function verifyChallenge(
  gate: Gate,
  credential: Credential.Credential,
  resource: PricedResource,
  body: Uint8Array | null,
): Promise<Challenge.Challenge> {
  const challenge = credential.challenge
  if (!Binding.verify(challenge, gate.config.secrets))
    throw new Problem.InvalidChallengeError('the challenge was not issued by this server (binding check failed)')
  if (challenge.realm !== gate.config.realm)
    throw new Problem.InvalidChallengeError(`the challenge is for realm "${challenge.realm}", not "${gate.config.realm}"`)
  if (Challenge.isExpired(challenge)) throw new Problem.PaymentExpiredError(`the challenge expired at ${challenge.expires}`)
  if (challenge.opaque?.resource !== resource.key)
    throw new Problem.InvalidChallengeError('the challenge was issued for a different resource')
  const rail = gate.rails.find((r) => r.name === challenge.method)
  if (!rail || !resource.rails.includes(rail.name) || challenge.intent !== 'charge')
    throw new Problem.MethodUnsupportedError(`payment method "${challenge.method}/${challenge.intent}" is not accepted for this resource`)
  const current = rail.chargeRequest(resource)
  if (!current || Jcs.canonicalize(current) !== Jcs.canonicalize(challenge.request))
    throw new Problem.InvalidChallengeError('the price or payment terms changed since this challenge was issued; pay the fresh challenge')
  if (challenge.digest !== undefined) {
    let matches = false
    try {
      matches = await Digest.verify(challenge.digest, body ?? new Uint8Array())
    } catch {
      matches = false
    }
    if (!matches) throw new Problem.VerificationFailedError('the request body does not match the digest bound to the challenge')
  }
  return challenge
}

function tooManyRequests(retryAfterSeconds: number): Response {
  return jsonProblem(429, 'Too many requests', `Slow down; retry in ${retryAfterSeconds} seconds.`, {
    'retry-after': String(retryAfterSeconds),
  })
}
