// The core's decision, in process: a real gate (store on in-memory PGlite) with a fake evm/charge method,
// driven through every outcome a payer can meet. No server, no chain.
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import * as Binding from '@/lib/protocol/Binding'
import * as Digest from '@/lib/protocol/Digest'
import * as Problem from '@/lib/protocol/Problem'
import * as Grants from '@/lib/store/grants'
import * as Payments from '@/lib/store/payments'
import { grantKeyOf } from '../grant-scope'
import { credentialFor, fakeGate, forgedChallenge, resourceFor, type FakeGate, type FakePayload } from '../testing/fake-gate'
import type { DecisionInput, Deliver, Outcome, PaymentInput, PricedResource } from '../types'
import { decide } from './decide'

type Served = { body: string }

let fake: FakeGate
let deliveries: Array<{ paymentId: string | null }>
let nextKey = 0

const deliver: Deliver<Served> = async ({ payment }) => {
  deliveries.push({ paymentId: payment?.id ?? null })
  return { value: { body: 'the fortune' } }
}

function input(payment: PaymentInput = { kind: 'none' }, extra: Partial<DecisionInput> = {}): DecisionInput {
  return { payment, grantToken: null, client: '192.0.2.1', body: null, ...extra }
}

async function challengeOf(resource: PricedResource, body: Uint8Array | null = null) {
  const outcome = await decide(fake.gate, resource, input({ kind: 'none' }, { body }), deliver)
  assert.equal(outcome.kind, 'payment-required')
  return (outcome as Extract<Outcome<Served>, { kind: 'payment-required' }>).offers.challenges[0]!.challenge
}

function paying(resource: PricedResource, payload: Partial<FakePayload> = {}) {
  return async (extra: Partial<DecisionInput> = {}, delivery: Deliver<Served> = deliver) => {
    const challenge = await challengeOf(resource, extra.body ?? null)
    const full: FakePayload = { outcome: 'pay', key: `key-${nextKey++}`, ...payload }
    return decide(fake.gate, resource, input({ kind: 'mpp', credential: credentialFor(challenge, full) }, extra), delivery)
  }
}

function expectProblem(outcome: Outcome<Served>, Class: new (detail: string) => Problem.PaymentProblem, detail?: RegExp) {
  assert.equal(outcome.kind, 'payment-required', JSON.stringify(outcome))
  const refused = outcome as Extract<Outcome<Served>, { kind: 'payment-required' }>
  assert.ok(refused.problem instanceof Class, `${refused.problem.name}: ${refused.problem.detail}`)
  if (detail) assert.match(refused.problem.detail, detail)
  return refused
}

describe('decide: one priced request in, one outcome out', () => {
  before(async () => {
    fake = await fakeGate()
  })
  after(async () => {
    await fake.handle.close()
  })
  beforeEach(() => {
    deliveries = []
    fake.clock.at = new Date('2026-12-04T12:00:00Z')
  })

  test('no credential: payment required, with one fresh bound challenge per offer and the prepared problem', async () => {
    const resource = resourceFor()
    const outcome = await decide(fake.gate, resource, input(), deliver)
    assert.equal(outcome.kind, 'payment-required')
    if (outcome.kind !== 'payment-required') return
    assert.ok(outcome.problem instanceof Problem.PaymentRequiredError)
    assert.equal(outcome.problem.detail, 'Payment is required: A fortune costs $0.01.')
    assert.deepEqual(JSON.parse(new TextDecoder().decode(outcome.problemJson)), Problem.toJSON(outcome.problem))
    assert.equal(outcome.offers.challenges.length, 1)
    const { challenge } = outcome.offers.challenges[0]!
    assert.equal(challenge.method, 'evm')
    assert.equal(challenge.intent, 'charge')
    assert.equal(challenge.realm, 'pay.example.com')
    assert.equal(challenge.expires, '2026-12-04T12:05:00.000Z')
    assert.equal(challenge.opaque?.resource, resource.key)
    assert.ok(Binding.verify(challenge, fake.gate.config.secrets))
    assert.deepEqual(challenge.request, {
      amount: '001',
      currency: '0x00000000000000000000000000000000000000aa',
      recipient: resource.recipient,
    })
    assert.equal(outcome.offers.paymentRequired, null, 'no x402 adapter, no PAYMENT-REQUIRED')
    assert.deepEqual(deliveries, [])
  })

  test('a body is bound by digest to the challenges it gets', async () => {
    const body = new TextEncoder().encode('{"text":"hello"}')
    const challenge = await challengeOf(resourceFor(), body)
    assert.equal(challenge.digest, await Digest.compute(body))
  })

  test('a valid credential: settled once, recorded, delivered with its receipt', async () => {
    const resource = resourceFor()
    const outcome = await paying(resource)()
    assert.equal(outcome.kind, 'delivered')
    if (outcome.kind !== 'delivered') return
    assert.deepEqual(outcome.value, { body: 'the fortune' })
    assert.ok(outcome.payment)
    assert.equal(outcome.payment.protocol, 'mpp')
    assert.equal(outcome.receipt?.status, 'success')
    assert.equal(outcome.receipt?.reference, outcome.payment.reference)
    assert.equal(outcome.receipt?.challengeId, outcome.payment.challengeId)
    assert.equal(outcome.grant, null, 'a one-time resource leaves no grant')
    assert.deepEqual(deliveries, [{ paymentId: outcome.payment.id }])
    assert.equal((await Payments.getById(fake.gate.db, outcome.payment.id))?.delivery, 'delivered')
  })

  test('a window resource leaves a grant, and the grant then unlocks it without a payment', async () => {
    const resource = resourceFor({ key: 'route:GET /api/window', accessPolicy: { kind: 'window', minutes: 10 } })
    const paid = await paying(resource)()
    assert.equal(paid.kind, 'delivered')
    if (paid.kind !== 'delivered') return
    assert.ok(paid.grant)
    assert.equal(paid.grant.key, grantKeyOf(resource))
    assert.equal(paid.grant.expiresAt?.toISOString(), '2026-12-04T12:10:00.000Z')
    const settledBefore = fake.method.settled.length
    const again = await decide(fake.gate, resource, input({ kind: 'none' }, { grantToken: paid.grant.token }), deliver)
    assert.equal(again.kind, 'delivered')
    if (again.kind !== 'delivered') return
    assert.equal(again.payment, null, 'a grant is not a new payment')
    assert.equal(again.receipt, null)
    assert.equal(fake.method.settled.length, settledBefore)
    // Past its window the grant opens nothing: pay again.
    fake.clock.at = new Date('2026-12-04T12:10:01Z')
    const late = await decide(fake.gate, resource, input({ kind: 'none' }, { grantToken: paid.grant.token }), deliver)
    assert.equal(late.kind, 'payment-required')
  })

  test('malformed: a credential that could not be read gets fresh challenges with its problem', async () => {
    const malformed = new Problem.MalformedCredentialError('credential is not base64url-encoded JSON')
    const outcome = await decide(fake.gate, resourceFor(), input({ kind: 'malformed', problem: malformed }), deliver)
    const refused = expectProblem(outcome, Problem.MalformedCredentialError)
    assert.equal(refused.problem, malformed)
    assert.equal(refused.offers.challenges.length, 1)
  })

  test('bad binding: a challenge another server signed', async () => {
    const resource = resourceFor()
    const challenge = forgedChallenge(fake.gate, await challengeOf(resource), {}, 'another-server-secret-of-32-bytes-or-more')
    const outcome = await decide(
      fake.gate,
      resource,
      input({ kind: 'mpp', credential: credentialFor(challenge, { outcome: 'pay', key: 'k-bind' }) }),
      deliver,
    )
    expectProblem(outcome, Problem.InvalidChallengeError, /binding check failed/)
    assert.deepEqual(deliveries, [])
  })

  test('wrong realm: a challenge of ours for another host', async () => {
    const resource = resourceFor()
    const challenge = forgedChallenge(fake.gate, await challengeOf(resource), { realm: 'evil.example' })
    const outcome = await decide(
      fake.gate,
      resource,
      input({ kind: 'mpp', credential: credentialFor(challenge, { outcome: 'pay', key: 'k-realm' }) }),
      deliver,
    )
    expectProblem(outcome, Problem.InvalidChallengeError, /realm "evil\.example"/)
  })

  test('expired: the challenge is paid after its expiry', async () => {
    const resource = resourceFor()
    const challenge = await challengeOf(resource)
    fake.clock.at = new Date('2026-12-04T12:05:00.000Z')
    const outcome = await decide(
      fake.gate,
      resource,
      input({ kind: 'mpp', credential: credentialFor(challenge, { outcome: 'pay', key: 'k-exp' }) }),
      deliver,
    )
    expectProblem(outcome, Problem.PaymentExpiredError, /expired at 2026-12-04T12:05:00.000Z/)
  })

  test('other resource: a challenge issued for another resource', async () => {
    const challenge = await challengeOf(resourceFor({ key: 'route:GET /api/cheap' }))
    const outcome = await decide(
      fake.gate,
      resourceFor({ key: 'route:GET /api/dear' }),
      input({ kind: 'mpp', credential: credentialFor(challenge, { outcome: 'pay', key: 'k-other' }) }),
      deliver,
    )
    expectProblem(outcome, Problem.InvalidChallengeError, /different resource/)
  })

  test('price changed: a challenge for the old price', async () => {
    const challenge = await challengeOf(resourceFor({ priceUsd: '0.01' }))
    const outcome = await decide(
      fake.gate,
      resourceFor({ priceUsd: '0.02' }),
      input({ kind: 'mpp', credential: credentialFor(challenge, { outcome: 'pay', key: 'k-price' }) }),
      deliver,
    )
    expectProblem(outcome, Problem.InvalidChallengeError, /price or payment terms changed/)
    assert.deepEqual(fake.method.settled.includes('k-price'), false)
  })

  test('digest mismatch: a credential paid for one body is refused for another', async () => {
    const resource = resourceFor({ key: 'route:POST /api/summarize' })
    const challenge = await challengeOf(resource, new TextEncoder().encode('{"text":"paid for"}'))
    const outcome = await decide(
      fake.gate,
      resource,
      input(
        { kind: 'mpp', credential: credentialFor(challenge, { outcome: 'pay', key: 'k-digest' }) },
        { body: new TextEncoder().encode('{"text":"swapped"}') },
      ),
      deliver,
    )
    const refused = expectProblem(outcome, Problem.VerificationFailedError, /does not match the digest/)
    assert.equal(refused.offers.challenges[0]!.challenge.digest, await Digest.compute(new TextEncoder().encode('{"text":"swapped"}')))
  })

  test('method unsupported: a challenge for a method/intent the resource is not offered with, and x402 without an adapter', async () => {
    const resource = resourceFor()
    const challenge = forgedChallenge(fake.gate, await challengeOf(resource), { method: 'stripe' })
    const mpp = await decide(
      fake.gate,
      resource,
      input({ kind: 'mpp', credential: credentialFor(challenge, { outcome: 'pay', key: 'k-m' }) }),
      deliver,
    )
    const refused = expectProblem(mpp, Problem.MethodUnsupportedError, /"stripe\/charge" is not accepted/)
    assert.equal(refused.problem.status, 400)
    const session = forgedChallenge(fake.gate, await challengeOf(resource), { intent: 'session' })
    const wrongIntent = await decide(
      fake.gate,
      resource,
      input({ kind: 'mpp', credential: credentialFor(session, { outcome: 'pay', key: 'k-i' }) }),
      deliver,
    )
    expectProblem(wrongIntent, Problem.MethodUnsupportedError, /"evm\/session" is not accepted/)
    const x402 = await decide(fake.gate, resource, input({ kind: 'x402', header: 'e30' }), deliver)
    expectProblem(x402, Problem.MethodUnsupportedError, /x402 payments are not accepted/)
  })

  test('declined by the method: the method’s problem, fresh challenges, and an x402-style explanation', async () => {
    const outcome = await paying(resourceFor(), { outcome: 'decline' })()
    expectProblem(outcome, Problem.VerificationFailedError, /fake signature does not verify/)
    assert.deepEqual(deliveries, [])
  })

  test('replay: a credential used and delivered is refused, and names the receipt', async () => {
    const resource = resourceFor()
    const challenge = await challengeOf(resource)
    const credential = credentialFor(challenge, { outcome: 'pay', key: 'k-replay' })
    const first = await decide(fake.gate, resource, input({ kind: 'mpp', credential }), deliver)
    assert.equal(first.kind, 'delivered')
    const second = await decide(fake.gate, resource, input({ kind: 'mpp', credential }), deliver)
    const refused = expectProblem(
      second,
      Problem.InvalidChallengeError,
      /already used\. It was delivered; its receipt is at \/receipts\/pay_/,
    )
    assert.notEqual(refused.offers.challenges[0]!.challenge.id, challenge.id)
    assert.equal(deliveries.length, 1)
  })

  test('replay recovered: a paid credential whose delivery failed is delivered on retry, never charged twice', async () => {
    const resource = resourceFor({ key: 'route:GET /api/flaky' })
    const challenge = await challengeOf(resource)
    const credential = credentialFor(challenge, { outcome: 'pay', key: 'k-recover' })
    const failing: Deliver<Served> = async () => {
      throw new Error('the upstream hung up')
    }
    const first = await decide(fake.gate, resource, input({ kind: 'mpp', credential }), failing)
    assert.equal(first.kind, 'undelivered')
    if (first.kind !== 'undelivered') return
    const recorded = await Payments.getById(fake.gate.db, first.payment!.id)
    assert.equal(recorded?.delivery, 'failed')
    assert.equal(recorded?.deliveryError, 'the upstream hung up')
    assert.ok(first.grant, 'a retry grant')
    assert.equal(first.grant.expiresAt?.toISOString(), '2026-12-05T12:00:00.000Z')
    const retried = await decide(fake.gate, resource, input({ kind: 'mpp', credential }), deliver)
    assert.equal(retried.kind, 'delivered')
    if (retried.kind !== 'delivered') return
    assert.equal(retried.payment?.id, first.payment!.id, 'the same payment, delivered now')
    assert.equal(fake.method.settled.filter((k) => k === 'k-recover').length, 1)
  })

  test('rail unavailable: 503 with the rail’s Retry-After, nothing recorded', async () => {
    const outcome = await paying(resourceFor(), { outcome: 'unavailable', key: 'k-down' })()
    assert.deepEqual(outcome, {
      kind: 'refused',
      status: 503,
      title: 'Payment network unavailable',
      detail: 'the fake network is down',
      retryAfterSeconds: 7,
    })
    assert.equal(await Payments.getBySettlementKey(fake.gate.db, 'k-down'), null)
  })

  test('settlement quota: 429 with Retry-After', async () => {
    const outcome = await paying(resourceFor(), { outcome: 'quota' })()
    assert.deepEqual(outcome, {
      kind: 'refused',
      status: 429,
      title: 'Too many settlements',
      detail: 'too many fake settlements; retry in 11 seconds',
      retryAfterSeconds: 11,
    })
  })

  test('sold out: a capped resource with no slot left refuses before money moves; a failed payment gives its slot back', async () => {
    let slots = 1
    const resource = resourceFor({
      key: 'link:lnk_capped',
      reserveSale: async () => {
        if (slots === 0) return null
        slots--
        return async () => {
          slots++
        }
      },
    })
    const declined = await paying(resource, { outcome: 'decline' })()
    expectProblem(declined, Problem.VerificationFailedError)
    assert.equal(slots, 1, 'the declined payment gave its slot back')
    const sold = await paying(resource)()
    assert.equal(sold.kind, 'delivered')
    const settledBefore = fake.method.settled.length
    const late = await paying(resource)()
    assert.deepEqual(late, { kind: 'refused', status: 410, title: 'Link unavailable', detail: 'This link has sold out.' })
    assert.equal(fake.method.settled.length, settledBefore, 'nothing settled for a sold-out resource')
  })

  test('closed: no new sales, but a grant still opens it', async () => {
    const resource = resourceFor({ key: 'link:lnk_closed', accessPolicy: { kind: 'window', minutes: 5 } })
    const paid = await paying(resource)()
    assert.equal(paid.kind, 'delivered')
    const closed = { title: 'Link unavailable', detail: 'This link has been deactivated by its merchant.' }
    const refused = await decide(fake.gate, resource, input(), deliver, { closed })
    assert.deepEqual(refused, { kind: 'refused', status: 410, ...closed })
    const token = paid.kind === 'delivered' ? paid.grant!.token : ''
    const granted = await decide(fake.gate, resource, input({ kind: 'none' }, { grantToken: token }), deliver, { closed })
    assert.equal(granted.kind, 'delivered')
  })

  test('too many requests: challenges and credentials are limited per client', async () => {
    const limited = await fakeGate({ rateLimit: { challengesPerMinute: 2, credentialsPerMinute: 1 } })
    try {
      const resource = resourceFor()
      const unpaid = () => decide(limited.gate, resource, input(), deliver)
      assert.equal((await unpaid()).kind, 'payment-required')
      assert.equal((await unpaid()).kind, 'payment-required')
      const third = await unpaid()
      assert.equal(third.kind, 'refused')
      assert.equal(third.kind === 'refused' && third.status, 429)
      assert.ok(third.kind === 'refused' && third.retryAfterSeconds! >= 1)
      // Another client is not limited by this one.
      assert.equal(
        (await decide(limited.gate, resource, input({ kind: 'none' }, { client: '192.0.2.2' }), deliver)).kind,
        'payment-required',
      )
      // Malformed credentials count against the credential limit too.
      const malformed: PaymentInput = { kind: 'malformed', problem: new Problem.MalformedCredentialError('garbage') }
      assert.equal((await decide(limited.gate, resource, input(malformed), deliver)).kind, 'payment-required')
      const over = await decide(limited.gate, resource, input(malformed), deliver)
      assert.equal(over.kind === 'refused' && over.status, 429)
    } finally {
      await limited.handle.close()
    }
  })

  test('no payment method can sell it: 503, not an empty 402', async () => {
    const outcome = await decide(fake.gate, resourceFor({ priceUsd: '0' }), input(), deliver)
    assert.deepEqual(outcome, {
      kind: 'refused',
      status: 503,
      title: 'No payment method available',
      detail: 'None of the payment methods this resource accepts is configured on this server.',
    })
  })

  test('a grant for one resource does not open another', async () => {
    const resource = resourceFor({ key: 'route:GET /api/a', accessPolicy: { kind: 'window', minutes: 5 } })
    const paid = await paying(resource)()
    const token = paid.kind === 'delivered' ? paid.grant!.token : ''
    assert.ok(await Grants.redeem(fake.gate.db, token, grantKeyOf(resource), fake.clock.now()))
    const other = await decide(fake.gate, resourceFor({ key: 'route:GET /api/b' }), input({ kind: 'none' }, { grantToken: token }), deliver)
    assert.equal(other.kind, 'payment-required')
  })

  test('settle after success: the payment is held, the resource delivered, then the money moves once', async () => {
    const resource = resourceFor({ key: 'route:POST /api/after', settle: 'after-success' })
    const seen: Array<string | null> = []
    const outcome = await paying(resource, { key: 'k-after-ok' })({}, async ({ payment }) => {
      seen.push(payment?.id ?? null)
      return { value: { body: 'answer' } }
    })
    assert.equal(outcome.kind, 'delivered')
    if (outcome.kind !== 'delivered') return
    assert.deepEqual(seen, [null], 'delivered before any payment existed')
    assert.ok(outcome.payment)
    assert.equal(outcome.receipt?.reference, outcome.payment.reference)
    assert.equal((await Payments.getById(fake.gate.db, outcome.payment.id))?.delivery, 'delivered')
    assert.deepEqual(
      fake.method.settled.filter((k) => k === 'k-after-ok'),
      ['k-after-ok'],
    )
  })

  test('settle after success: a failed delivery charges nothing and the same credential can pay again', async () => {
    const resource = resourceFor({ key: 'route:POST /api/after-fail', settle: 'after-success' })
    const challenge = await challengeOf(resource)
    const credential = credentialFor(challenge, { outcome: 'pay', key: 'k-after-fail' })
    let discarded = 0
    const failing: Deliver<Served> = async () => ({
      value: { body: 'upstream 500' },
      failure: 'the resource answered 500',
      discard: () => discarded++,
    })
    const refused = await decide(fake.gate, resource, input({ kind: 'mpp', credential }), failing)
    assert.deepEqual(refused, {
      kind: 'refused',
      status: 502,
      title: 'The resource failed; nothing was charged',
      detail: 'the resource answered 500. Your payment was not settled; the same credential can pay again.',
    })
    assert.equal(discarded, 1, 'the failed answer was freed')
    assert.equal(fake.method.settled.includes('k-after-fail'), false)
    assert.equal(await Payments.getBySettlementKey(fake.gate.db, 'k-after-fail'), null)
    const thrown = await decide(fake.gate, resource, input({ kind: 'mpp', credential }), async () => {
      throw new Error('connection reset')
    })
    assert.equal(thrown.kind === 'refused' && thrown.status, 502)
    const paid = await decide(fake.gate, resource, input({ kind: 'mpp', credential }), deliver)
    assert.equal(paid.kind, 'delivered')
    assert.deepEqual(
      fake.method.settled.filter((k) => k === 'k-after-fail'),
      ['k-after-fail'],
    )
  })

  test('settle after success: a held payment whose capture fails withholds the answer', async () => {
    const resource = resourceFor({ key: 'route:POST /api/after-capture', settle: 'after-success' })
    let discarded = 0
    const outcome = await paying(resource, { outcome: 'capture-fails' })({}, async () => ({
      value: { body: 'served' },
      discard: () => discarded++,
    }))
    expectProblem(outcome, Problem.VerificationFailedError, /reverted at settlement/)
    assert.equal(discarded, 1)
  })

  test('a method’s own ledger: delivered with its receipt and no payment row; a top-up is acknowledged without the resource', async () => {
    const resource = resourceFor({ key: 'route:GET /api/metered' })
    const accepted = await paying(resource, { outcome: 'accept', key: 'k-ledger' })()
    assert.equal(accepted.kind, 'delivered')
    if (accepted.kind !== 'delivered') return
    assert.equal(accepted.payment, null)
    assert.equal(accepted.receipt?.reference, 'k-ledger')
    assert.equal(accepted.grant, null)
    assert.equal(await Payments.getBySettlementKey(fake.gate.db, 'k-ledger'), null)
    deliveries = []
    const topUp = await paying(resource, { outcome: 'top-up', key: 'k-topup' })()
    assert.deepEqual(topUp, {
      kind: 'acknowledged',
      receipt: { status: 'success', method: 'evm', timestamp: '2026-12-04T12:00:00.000Z', reference: 'k-topup', spent: '1' },
    })
    assert.deepEqual(deliveries, [], 'a top-up does not deliver the resource')
  })
})
