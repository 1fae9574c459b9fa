// The gate's one decision, independent of transport: a request for a priced resource, as plain data, in;
// what to answer, as plain data, out. No credential -> pay first (fresh offers); a grant -> deliver; a
// credential -> verify its challenge -> its method settles (an atomic claim inside) -> record -> deliver
// with a receipt and a grant. HTTP and MCP turn the outcome into their own wire form.
import * as Digest from '@/lib/protocol/Digest'
import * as Intent from '@/lib/protocol/Intent'
import * as Problem from '@/lib/protocol/Problem'
import * as PaymentSignature from '@/lib/protocol/x402/PaymentSignature'
import { isRailUnavailable, SettlementReplayError } from '@/lib/rails/errors'
import { isDatabaseUnavailable } from '@/lib/store/db'
import { SettlementQuotaExceededError } from '../settlement-quota'
import type * as Receipt from '@/lib/protocol/Receipt'
import * as Payments from '@/lib/store/payments'
import type {
  Accepted,
  Authorized,
  DecisionInput,
  Delivered,
  Deliver,
  Gate,
  Outcome,
  PaymentMethod,
  PricedResource,
  Protocol,
  Settled,
  X402Input,
} from '../types'
import { deliverPaid, recordSettled } from './deliver'
import { grantTerms, issueGrant, redeemGrant } from './grants'
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
    // A session pays each request with a voucher (no chain write): counted on a limiter of its own.
    const limiter =
      payment.kind === 'mpp' && payment.credential.challenge.intent === Intent.session ? gate.limits.vouchers : gate.limits.credentials
    const limited = limiter.hit(input.client, gate.clock.now().getTime())
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

  let payer: Payer
  try {
    payer = await payerOf(gate, resource, input, payment)
  } catch (error) {
    await release?.()
    return refusal(gate, resource, input, deliver, error)
  }
  if (resource.settle === 'after-success' && payer.authorize) return settleAfterSuccess(gate, resource, input, deliver, payer, release)

  let settled: Settled | Accepted
  try {
    settled = await payer.settle()
  } catch (error) {
    await release?.()
    return refusal(gate, resource, input, deliver, error)
  }
  if ('kind' in settled) return deliverAccepted(deliver, settled)
  const recorded = await recordSettled(gate, resource, settled, payer.protocol, payer.challengeId)
  return deliverPaid(gate, resource, deliver, recorded, settled.grantTokenHash)
}

/** A presented payment, verified as far as it can be without its method: how to settle it, or to hold it first. */
type Payer = {
  protocol: Protocol
  challengeId: string | null
  settle(): Promise<Settled | Accepted>
  authorize?: () => Promise<Authorized>
}

async function payerOf(
  gate: Gate,
  resource: PricedResource,
  input: DecisionInput,
  payment: Extract<DecisionInput['payment'], { kind: 'mpp' | 'x402' }>,
): Promise<Payer> {
  if (payment.kind === 'mpp') {
    const { challenge, source, payload } = payment.credential
    const method = await verifyChallenge(gate, challenge, resource, input.body, input.bodyRequired)
    const settleInput = {
      challenge,
      payload,
      ...(source ? { source } : {}),
      resource,
      ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
      protocol: input.protocol ?? 'mpp',
      ...(input.units !== undefined ? { units: input.units } : {}),
    }
    return {
      protocol: input.protocol ?? 'mpp',
      challengeId: challenge.id,
      settle: () => method.settle(settleInput),
      ...(method.authorize && (method.canHold?.(payload) ?? true) ? { authorize: () => method.authorize!(settleInput) } : {}),
    }
  }
  const x402 = gate.methods.x402
  const x402Input = readX402(gate, resource, payment.header)
  return {
    protocol: 'x402',
    challengeId: null,
    settle: () => x402!.settle(x402Input),
    ...(x402?.authorize ? { authorize: () => x402.authorize!(x402Input) } : {}),
  }
}

/**
 * Settle after success: the payment is verified and claimed (it cannot be spent twice), the resource is
 * delivered, and the money moves only when the delivery succeeded; otherwise the claim is released and
 * nothing is charged (the same credential can pay again).
 */
async function settleAfterSuccess<T>(
  gate: Gate,
  resource: PricedResource,
  input: DecisionInput,
  deliver: Deliver<T>,
  payer: Payer,
  releaseSale: (() => Promise<void>) | undefined,
): Promise<Outcome<T>> {
  let authorized: Authorized
  try {
    authorized = await payer.authorize!()
  } catch (error) {
    await releaseSale?.()
    return refusal(gate, resource, input, deliver, error)
  }
  let delivered: Delivered<T>
  try {
    delivered = await deliver({ payment: null })
  } catch (error) {
    await authorized.release(error instanceof Error ? error.message : 'the resource failed')
    await releaseSale?.()
    return notCharged('the resource failed')
  }
  if (delivered.failure) {
    delivered.discard?.()
    await authorized.release(delivered.failure)
    await releaseSale?.()
    return notCharged(delivered.failure)
  }
  let settled: Settled
  try {
    settled = await authorized.capture()
  } catch (error) {
    // Served, but the money did not move (the payer emptied the balance in between): the answer is withheld.
    delivered.discard?.()
    await releaseSale?.()
    if (error instanceof Problem.PaymentProblem) return paymentRequired(gate, resource, input, error)
    return unavailableOrThrow(error)
  }
  const payment = await recordSettled(gate, resource, settled, payer.protocol, payer.challengeId)
  await Payments.markDelivery(gate.db, payment.id, 'delivered')
  const grant = await issueGrant(gate, resource, payment, grantTerms(resource.accessPolicy, gate.clock.now()), settled.grantTokenHash)
  return { kind: 'delivered', value: delivered.value, payment, receipt: payment.receipt as Receipt.Receipt, grant }
}

function notCharged<T>(failure: string): Outcome<T> {
  return {
    kind: 'refused',
    status: 502,
    title: 'The resource failed; nothing was charged',
    detail: `${failure}. Your payment was not settled; the same credential can pay again.`,
  }
}

/** A method's own ledger took the payment (a session voucher): deliver, or answer a top-up or close with its receipt. */
async function deliverAccepted<T>(deliver: Deliver<T>, accepted: Accepted): Promise<Outcome<T>> {
  if (accepted.serves === 'receipt') return { kind: 'acknowledged', receipt: accepted.receipt }
  try {
    const delivered = await deliver({ payment: null, accepted })
    return { kind: 'delivered', value: delivered.value, payment: null, receipt: accepted.receipt, grant: null }
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw error
    return { kind: 'undelivered', payment: null, receipt: accepted.receipt, grant: null }
  }
}

/** An x402 `exact` payment, read and matched against what this resource requires now (the adapter rides on `evm/charge`). */
function readX402(gate: Gate, resource: PricedResource, header: string): X402Input {
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
  return { payment, requirements, resource }
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
  return unavailableOrThrow(error)
}

/** The server's own trouble (a settlement quota, a network down) as the payer should hear it; anything else is a fault. */
function unavailableOrThrow<T>(error: unknown): Outcome<T> {
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
