// Browser path through the real `stripe` SDK against the Stripe double: the checkout gets a
// PaymentIntent for its challenge, Stripe.js confirms it, and the credential naming it unlocks once.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import Stripe from 'stripe'
import * as Problem from '@/lib/protocol/Problem'
import * as Receipt from '@/lib/protocol/Receipt'
import { PaymentActionRequiredError, StripeUnavailableError, UnchargeableAmountError } from '@/lib/rails/stripe'
import * as Settlements from '@/lib/store/settlements'
import { startStripeRailFixture, type StripeRailFixture } from './stripe-fixture'

const visa = '4242424242424242'
const declined = '4000000000000002'
const threeDSecure = '4000002760003184'

/** Asserts a refusal is a 402 of the given problem class (and so of its problem type). */
async function assertRefused(
  promise: Promise<unknown>,
  problem: new (detail: string) => Problem.PaymentProblem,
  detail: RegExp,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof problem, `expected ${problem.name}, got ${String(error)}`)
    assert.equal(error.status, 402)
    assert.match(error.detail, detail)
    return true
  })
}

describe('Stripe rail, browser path', () => {
  let f: StripeRailFixture
  before(async () => {
    f = await startStripeRailFixture()
  })
  after(() => f.stop())

  test('asking twice for the challenge PaymentIntent returns the same intent', async () => {
    const challenge = f.challengeFor(500)
    const first = await f.rail.createPaymentIntentForChallenge({ challengeId: challenge.id, linkId: 'link_a', amountCents: 500 })
    const second = await f.rail.createPaymentIntentForChallenge({
      challengeId: challenge.id,
      linkId: 'link_a',
      amountCents: 500n,
      currency: 'usd',
    })
    assert.equal(second.id, first.id)
    assert.equal(second.clientSecret, first.clientSecret)
    assert.match(first.id, /^pi_[A-Za-z0-9]+$/)
    const stored = f.double.intents.get(first.id)
    assert.deepEqual(stored?.metadata, { challenge_id: challenge.id, link_id: 'link_a' })
    assert.equal(stored?.amount, 500)
    assert.equal(stored?.currency, 'usd')
    assert.equal([...f.double.intents.values()].filter((pi) => pi.metadata.challenge_id === challenge.id).length, 1)
  })

  test('a card payment unlocks: settlement, settled claim and a stripe receipt', async () => {
    const challenge = f.challengeFor(500)
    const intent = await f.rail.createPaymentIntentForChallenge({ challengeId: challenge.id, linkId: 'link_a', amountCents: 500 })
    const confirmed = await f.confirmInBrowser(intent, visa)
    assert.equal(confirmed.status, 200)
    assert.equal(confirmed.body.status, 'succeeded')

    const settled = await f.rail.settleMppCredential({ challenge, payload: { paymentIntent: intent.id }, linkId: 'link_a' })
    assert.equal(settled.reference, intent.id)
    assert.equal(settled.settlementKey, `stripe:${intent.id}`)
    assert.equal(settled.amountCents, 500)
    assert.equal(settled.amount, '500')
    assert.equal(settled.currency, 'usd')
    assert.equal(settled.payer, null)
    assert.equal(settled.receipt.method, 'stripe')
    assert.equal(settled.receipt.status, 'success')
    assert.equal(settled.receipt.reference, intent.id)
    assert.ok(!Number.isNaN(Date.parse(settled.receipt.timestamp)))
    assert.equal(Receipt.serialize(settled.receipt).length > 0, true)
    const claim = await Settlements.get(f.db, `stripe:${intent.id}`)
    assert.equal(claim?.status, 'settled')
    assert.equal(claim?.txHash, intent.id)
    assert.equal(claim?.amount, '500')
    assert.deepEqual(claim?.details, { challengeId: challenge.id, linkId: 'link_a', currency: 'usd', via: 'payment-intent' })
  })

  test('the request externalId is echoed in the receipt', async () => {
    const challenge = f.challengeFor(700, { externalId: 'order_77' })
    const intent = await f.rail.createPaymentIntentForChallenge({ challengeId: challenge.id, linkId: 'link_a', amountCents: 700 })
    await f.confirmInBrowser(intent, visa)
    const settled = await f.rail.settleMppCredential({ challenge, payload: { paymentIntent: intent.id }, linkId: 'link_a' })
    assert.equal(settled.receipt.externalId, 'order_77')
  })

  test("a declined card shows Stripe's message and unlocks nothing", async () => {
    const challenge = f.challengeFor(500)
    const intent = await f.rail.createPaymentIntentForChallenge({ challengeId: challenge.id, linkId: 'link_a', amountCents: 500 })
    const confirmed = await f.confirmInBrowser(intent, declined)
    assert.equal(confirmed.status, 402)
    assert.equal(confirmed.body.error?.type, 'card_error')
    assert.equal(confirmed.body.error?.code, 'card_declined')
    assert.equal(confirmed.body.error?.message, 'Your card was declined.')
    await assertRefused(
      f.rail.settleMppCredential({ challenge, payload: { paymentIntent: intent.id }, linkId: 'link_a' }),
      Problem.VerificationFailedError,
      /has not succeeded \(status requires_payment_method\)/,
    )
    assert.equal(await Settlements.get(f.db, `stripe:${intent.id}`), null)
  })

  test('a 3-D Secure card goes through its next action and then unlocks', async () => {
    const challenge = f.challengeFor(500)
    const intent = await f.rail.createPaymentIntentForChallenge({ challengeId: challenge.id, linkId: 'link_a', amountCents: 500 })
    const confirmed = await f.confirmInBrowser(intent, threeDSecure)
    assert.equal(confirmed.body.status, 'requires_action')
    assert.equal(confirmed.body.next_action?.type, 'use_stripe_sdk')
    await assert.rejects(
      f.rail.settleMppCredential({ challenge, payload: { paymentIntent: intent.id }, linkId: 'link_a' }),
      (error: unknown) => {
        assert.ok(error instanceof PaymentActionRequiredError)
        assert.equal(error.type, 'https://paymentauth.org/problems/verification-failed')
        assert.equal(error.paymentIntentId, intent.id)
        return true
      },
    )
    assert.equal((await f.authenticateInBrowser(intent, 'complete')).status, 'succeeded')
    const settled = await f.rail.settleMppCredential({ challenge, payload: { paymentIntent: intent.id }, linkId: 'link_a' })
    assert.equal(settled.reference, intent.id)
  })

  test('a failed 3-D Secure step unlocks nothing', async () => {
    const challenge = f.challengeFor(500)
    const intent = await f.rail.createPaymentIntentForChallenge({ challengeId: challenge.id, linkId: 'link_a', amountCents: 500 })
    await f.confirmInBrowser(intent, threeDSecure)
    const failed = await f.authenticateInBrowser(intent, 'fail')
    assert.equal(failed.status, 'requires_payment_method')
    assert.equal(failed.last_payment_error?.code, 'payment_intent_authentication_failure')
    await assertRefused(
      f.rail.settleMppCredential({ challenge, payload: { paymentIntent: intent.id }, linkId: 'link_a' }),
      Problem.VerificationFailedError,
      /requires_payment_method/,
    )
  })

  test('an unconfirmed PaymentIntent is refused', async () => {
    const challenge = f.challengeFor(500)
    const intent = await f.rail.createPaymentIntentForChallenge({ challengeId: challenge.id, linkId: 'link_a', amountCents: 500 })
    await assertRefused(
      f.rail.settleMppCredential({ challenge, payload: { paymentIntent: intent.id }, linkId: 'link_a' }),
      Problem.VerificationFailedError,
      /has not succeeded/,
    )
  })

  test("someone else's PaymentIntent (another Stripe account) is refused", async () => {
    const challenge = f.challengeFor(500)
    const elsewhere = new Stripe('sk_test_someoneElse', { host: '127.0.0.1', port: f.double.port, protocol: 'http' })
    const theirs = await elsewhere.paymentIntents.create({
      amount: 500,
      currency: 'usd',
      confirm: true,
      payment_method: 'pm_card_visa',
      metadata: { challenge_id: challenge.id, link_id: 'link_a' },
    })
    assert.equal(theirs.status, 'succeeded')
    await assertRefused(
      f.rail.settleMppCredential({ challenge, payload: { paymentIntent: theirs.id }, linkId: 'link_a' }),
      Problem.VerificationFailedError,
      /does not exist on this Stripe account/,
    )
  })

  test('a PaymentIntent paid for another challenge (another amount) is refused', async () => {
    const cheap = f.challengeFor(500)
    const dear = f.challengeFor(900)
    const paid = await f.rail.createPaymentIntentForChallenge({ challengeId: cheap.id, linkId: 'link_a', amountCents: 500 })
    await f.confirmInBrowser(paid, visa)
    await assertRefused(
      f.rail.settleMppCredential({ challenge: dear, payload: { paymentIntent: paid.id }, linkId: 'link_a' }),
      Problem.VerificationFailedError,
      /not created for this challenge/,
    )
  })

  test('a PaymentIntent paid for another link is refused', async () => {
    const challenge = f.challengeFor(500)
    const paid = await f.rail.createPaymentIntentForChallenge({ challengeId: challenge.id, linkId: 'link_b', amountCents: 500 })
    await f.confirmInBrowser(paid, visa)
    await assertRefused(
      f.rail.settleMppCredential({ challenge, payload: { paymentIntent: paid.id }, linkId: 'link_a' }),
      Problem.VerificationFailedError,
      /not created for this link/,
    )
  })

  test('a PaymentIntent naming this challenge but for less is payment-insufficient; for more or another currency, verification-failed', async () => {
    const challenge = f.challengeFor(900)
    const metadata = { challenge_id: challenge.id, link_id: 'link_a' }
    const pay = (amount: number, currency = 'usd') =>
      f.stripe.paymentIntents.create({ amount, currency, confirm: true, payment_method: 'pm_card_visa', metadata })
    const less = await pay(500)
    await assertRefused(
      f.rail.settleMppCredential({ challenge, payload: { paymentIntent: less.id }, linkId: 'link_a' }),
      Problem.PaymentInsufficientError,
      /is for 500 usd cents; this challenge asks for 900/,
    )
    const more = await pay(1000)
    await assertRefused(
      f.rail.settleMppCredential({ challenge, payload: { paymentIntent: more.id }, linkId: 'link_a' }),
      Problem.VerificationFailedError,
      /not this challenge's 900/,
    )
    const euros = await pay(900, 'eur')
    await assertRefused(
      f.rail.settleMppCredential({ challenge, payload: { paymentIntent: euros.id }, linkId: 'link_a' }),
      Problem.VerificationFailedError,
      /is in eur/,
    )
  })

  test('a PaymentIntent that does not exist is refused', async () => {
    const challenge = f.challengeFor(500)
    await assertRefused(
      f.rail.settleMppCredential({ challenge, payload: { paymentIntent: 'pi_doesNotExist123' }, linkId: 'link_a' }),
      Problem.VerificationFailedError,
      /does not exist/,
    )
  })

  test('a reused PaymentIntent is refused, and concurrent redemptions unlock exactly once', async () => {
    const challenge = f.challengeFor(500)
    const intent = await f.rail.createPaymentIntentForChallenge({ challengeId: challenge.id, linkId: 'link_a', amountCents: 500 })
    await f.confirmInBrowser(intent, visa)
    const attempts = await Promise.allSettled(
      Array.from({ length: 6 }, () => f.rail.settleMppCredential({ challenge, payload: { paymentIntent: intent.id }, linkId: 'link_a' })),
    )
    const unlocked = attempts.filter((attempt) => attempt.status === 'fulfilled')
    assert.equal(unlocked.length, 1)
    for (const attempt of attempts) {
      if (attempt.status === 'rejected') {
        assert.ok(attempt.reason instanceof Problem.InvalidChallengeError, String(attempt.reason))
        assert.equal(attempt.reason.status, 402)
      }
    }
    await assertRefused(
      f.rail.settleMppCredential({ challenge, payload: { paymentIntent: intent.id }, linkId: 'link_a' }),
      Problem.InvalidChallengeError,
      /already been redeemed/,
    )
  })

  test('Stripe being down is StripeUnavailableError (503), not a payment problem', async () => {
    const challenge = f.challengeFor(500)
    const intent = await f.rail.createPaymentIntentForChallenge({ challengeId: challenge.id, linkId: 'link_a', amountCents: 500 })
    await f.confirmInBrowser(intent, visa)
    f.double.failNextRequests(3)
    await assert.rejects(
      f.rail.settleMppCredential({ challenge, payload: { paymentIntent: intent.id }, linkId: 'link_a' }),
      StripeUnavailableError,
    )
    // Nothing was claimed, so the same credential works once Stripe is back.
    const settled = await f.rail.settleMppCredential({ challenge, payload: { paymentIntent: intent.id }, linkId: 'link_a' })
    assert.equal(settled.reference, intent.id)
  })

  test('a transient Stripe error is retried by the SDK with the same idempotency key', async () => {
    const challenge = f.challengeFor(500)
    f.double.failNextRequests(1)
    const intent = await f.rail.createPaymentIntentForChallenge({ challengeId: challenge.id, linkId: 'link_a', amountCents: 500 })
    assert.equal([...f.double.intents.values()].filter((pi) => pi.metadata.challenge_id === challenge.id).length, 1)
    assert.equal(f.double.intents.get(intent.id)?.status, 'requires_payment_method')
  })

  test("no PaymentIntent below Stripe's minimum charge", async () => {
    await assert.rejects(
      f.rail.createPaymentIntentForChallenge({ challengeId: 'c', linkId: 'link_a', amountCents: 49 }),
      UnchargeableAmountError,
    )
  })
})
