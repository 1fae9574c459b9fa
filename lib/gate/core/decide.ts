// The gate's one decision, independent of transport: a request for a priced resource, as plain data, in;
// what to answer, as plain data, out. No credential -> pay first (fresh offers); a grant -> deliver; a
// credential -> verify its challenge -> its method settles (an atomic claim inside) -> record -> deliver
// with a receipt and a grant. HTTP and MCP turn the outcome into their own wire form.
import * as Digest from '@/lib/protocol/Digest'
import * as Problem from '@/lib/protocol/Problem'
import * as PaymentSignature from '@/lib/protocol/x402/PaymentSignature'
import { isRailUnavailable, SettlementReplayError } from '@/lib/rails/errors'
import { isDatabaseUnavailable } from '@/lib/store/db'
import { SettlementQuotaExceededError } from '../settlement-quota'
import type { DecisionInput, Deliver, Gate, Outcome, PaymentMethod, PricedResource, Protocol, Settled } from '../types'
import { deliverPaid, recordSettled } from './deliver'
import { redeemGrant } from './grants'
import { issueOffers, preparedOffers } from './offers'
import { recoverReplay } from './replay-recovery'
import { verifyChallenge } from './verify-challenge'

export type DecideOptions = {
  /**
   * The resource no longer sells to new buyers (a link deactivated, expired or sold out): grants still open
   * it and a payment that already holds its sale (a card checkout's PaymentIntent) is still delivered.
   */
  closed?: { title: string; detail: string }
}

export async function decide<T>(
  gate: Gate,
  resource: PricedResource,
  input: DecisionInput,
  deliver: Deliver<T>,
  options: DecideOptions = {},
): Promise<Outcome<T>> {
  const payment = input.payment
  if (options.closed) {
    const granted = await fromGrant(gate, resource, input, deliver)
    if (granted) return granted
    if (!holdsItsSale(gate, input)) return { kind: 'refused', status: 410, ...options.closed }
  }
  // Every presented credential counts, malformed ones too: otherwise garbage would buy unlimited challenges.
  if (payment.kind !== 'none') {
    const limited = gate.limits.credentials.hit(input.client, gate.clock.now().getTime())
    if (!limited.allowed) return tooManyRequests(limited.retryAfterSeconds)
  }
  if (payment.kind === 'malformed') return paymentRequired(gate, resource, input, payment.problem)
  if (payment.kind === 'none') {
    const granted = await fromGrant(gate, resource, input, deliver)
    if (granted) return granted
    const limited = gate.limits.challenges.hit(input.client, gate.clock.now().getTime())
    if (!limited.allowed) return tooManyRequests(limited.retryAfterSeconds)
    return paymentRequired(gate, resource, input)
  }

  // A capped resource takes its sale before money moves, unless the payment already holds one.
  const release = resource.reserveSale && !holdsItsSale(gate, input) ? await resource.reserveSale() : undefined
  if (release === null) return { kind: 'refused', status: 410, title: 'Link unavailable', detail: 'This link has sold out.' }

  let settled: Settled
  let protocol: Protocol
  let challengeId: string | null = null
  try {
    if (payment.kind === 'mpp') {
      const { challenge, source, payload } = payment.credential
      const method = await verifyChallenge(gate, challenge, resource, input.body, input.bodyRequired)
      settled = await method.settle({ challenge, payload, ...(source ? { source } : {}), resource })
      protocol = input.protocol ?? 'mpp'
      challengeId = challenge.id
    } else {
      settled = await settleX402(gate, resource, payment.header)
      protocol = 'x402'
    }
  } catch (error) {
    await release?.()
    return refusal(gate, resource, input, deliver, error)
  }

  const recorded = await recordSettled(gate, resource, settled, protocol, challengeId)
  return deliverPaid(gate, resource, deliver, recorded, settled.grantTokenHash)
}

/** An x402 `exact` payment: the adapter over `evm/charge` settles it if this resource is sold that way here. */
async function settleX402(gate: Gate, resource: PricedResource, header: string): Promise<Settled> {
  const x402 = gate.methods.x402
  if (!x402 || !resource.offers.includes(x402.over))
    throw new Problem.MethodUnsupportedError('x402 payments are not accepted for this resource')
  const payment = PaymentSignature.decode(header)
  const requirements = x402.requirements(resource)
  if (!requirements)
    throw new Problem.VerificationFailedError(
      `at $${resource.priceUsd} this resource is below the smallest payment the server settles on chain and pays the gas for, so x402 exact is not offered: pay with MPP (WWW-Authenticate: Payment) and a "hash" credential`,
    )
  if (!PaymentSignature.matchAccepted(payment.accepted, [requirements]))
    throw new Problem.VerificationFailedError('the accepted payment requirements do not match what this resource requires now')
  return x402.settle({ payment, requirements, resource })
}

/** Why a presented payment was not settled, as the payer should hear it. */
async function refusal<T>(
  gate: Gate,
  resource: PricedResource,
  input: DecisionInput,
  deliver: Deliver<T>,
  error: unknown,
): Promise<Outcome<T>> {
  if (error instanceof SettlementReplayError) {
    const recovery = await recoverReplay(gate, resource, deliver, error)
    if ('outcome' in recovery) return recovery.outcome
    const refused = await paymentRequired<T>(gate, resource, input, recovery.problem)
    return recovery.retryAfterSeconds && refused.kind === 'payment-required'
      ? { ...refused, retryAfterSeconds: recovery.retryAfterSeconds }
      : refused
  }
  if (error instanceof Problem.PaymentProblem) return paymentRequired(gate, resource, input, error)
  if (error instanceof SettlementQuotaExceededError)
    return { kind: 'refused', status: 429, title: 'Too many settlements', detail: error.detail, retryAfterSeconds: error.retryAfterSeconds }
  if (isRailUnavailable(error))
    return {
      kind: 'refused',
      status: 503,
      title: 'Payment network unavailable',
      detail: error.detail,
      retryAfterSeconds: error.retryAfterSeconds,
    }
  throw error
}

/** Fresh offers for an unpaid request, or with the problem that refused a payment. */
export async function paymentRequired<T>(
  gate: Gate,
  resource: PricedResource,
  input: Pick<DecisionInput, 'body' | 'acceptPayment'>,
  problem?: Problem.PaymentProblem,
): Promise<Outcome<T>> {
  const digest = input.body && input.body.byteLength > 0 ? await Digest.compute(input.body) : undefined
  // A refusal that explains itself (not the plain "pay first") says why in PAYMENT-REQUIRED's `error` too.
  const explains = problem && problem.status === 402 && !(problem instanceof Problem.PaymentRequiredError)
  const offers = issueOffers(gate, resource, {
    acceptPayment: input.acceptPayment ?? null,
    ...(digest ? { digest } : {}),
    ...(explains ? { x402Error: problem.detail } : {}),
  })
  if (offers.challenges.length === 0)
    return {
      kind: 'refused',
      status: 503,
      title: 'No payment method available',
      detail: 'None of the payment methods this resource accepts is configured on this server.',
    }
  if (problem) return { kind: 'payment-required', problem, offers }
  const unpaid = preparedOffers(gate, resource).paymentRequired
  return { kind: 'payment-required', problem: unpaid.problem, problemJson: unpaid.body, offers }
}

/** What a valid grant for this resource unlocks; null when the request holds none. */
async function fromGrant<T>(gate: Gate, resource: PricedResource, input: DecisionInput, deliver: Deliver<T>): Promise<Outcome<T> | null> {
  if (!input.grantToken) return null
  const payment = await redeemGrant(gate, input.grantToken, resource)
  if (payment === undefined) return null
  try {
    const delivered = await deliver({ payment })
    return { kind: 'delivered', value: delivered.value, payment: null, receipt: null, grant: null }
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw error
    return { kind: 'undelivered', payment: null, receipt: null, grant: null }
  }
}

function holdsItsSale(gate: Gate, input: DecisionInput): boolean {
  if (input.payment.kind !== 'mpp') return false
  const { challenge, payload } = input.payment.credential
  const method: PaymentMethod | undefined = gate.methods.find(challenge.method, challenge.intent)
  return method?.holdsItsSale?.(payload) ?? false
}

function tooManyRequests<T>(retryAfterSeconds: number): Outcome<T> {
  return {
    kind: 'refused',
    status: 429,
    title: 'Too many requests',
    detail: `Slow down; retry in ${retryAfterSeconds} seconds.`,
    retryAfterSeconds,
  }
}
