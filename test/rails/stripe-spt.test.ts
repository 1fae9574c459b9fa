// Agent path (draft-stripe-charge-00) through the real `stripe` SDK against the Stripe double:
// the credential carries a Shared Payment Token and the server creates a confirmed PaymentIntent.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { stripe as mppxStripe } from 'mppx/client'
import Stripe from 'stripe'
import * as Credential from '@/lib/protocol/Credential'
import * as Problem from '@/lib/protocol/Problem'
import { PaymentActionRequiredError, StripeUnavailableError } from '@/lib/rails/stripe'
import * as Settlements from '@/lib/store/settlements'
import { sharedPaymentToken, startStripeRailFixture, type StripeRailFixture } from './stripe-fixture'

describe('Stripe rail, Shared Payment Token path', () => {
  let f: StripeRailFixture
  before(async () => {
    f = await startStripeRailFixture()
  })
  after(() => f.stop())

  const intentsFor = (challengeId: string): Stripe.PaymentIntent[] =>
    [...f.double.intents.values()].filter((pi) => pi.metadata.challenge_id === challengeId)

  test('a token pays: one confirmed PaymentIntent bound to the challenge, a settled claim, a receipt', async () => {
    const challenge = f.challengeFor(1500, { externalId: 'order_9' })
    const spt = sharedPaymentToken('spt_testOk')
    const settled = await f.rail.settleMppCredential({ challenge, payload: { spt, externalId: 'order_9' }, linkId: 'link_api' })
    const [intent, ...others] = intentsFor(challenge.id)
    assert.equal(others.length, 0)
    assert.ok(intent)
    assert.equal(settled.reference, intent.id)
    assert.equal(intent.status, 'succeeded')
    assert.equal(intent.amount, 1500)
    assert.equal(intent.currency, 'usd')
    assert.equal(intent.metadata.link_id, 'link_api')
    assert.equal(intent.description, 'A paid article')
    assert.deepEqual(settled.receipt, {
      method: 'stripe',
      reference: intent.id,
      status: 'success',
      timestamp: settled.receipt.timestamp,
      externalId: 'order_9',
    })
    assert.equal((await Settlements.get(f.db, `stripe:${intent.id}`))?.status, 'settled')
  })

  test('a replayed credential is refused and never charges twice (idempotency key from challenge id + token)', async () => {
    const challenge = f.challengeFor(600)
    const payload = { spt: sharedPaymentToken('spt_testOk') }
    await f.rail.settleMppCredential({ challenge, payload, linkId: 'link_api' })
    await assert.rejects(f.rail.settleMppCredential({ challenge, payload, linkId: 'link_api' }), Problem.InvalidChallengeError)
    assert.equal(intentsFor(challenge.id).length, 1)
    assert.equal(
      f.double.events.filter(
        (e) => e.type === 'charge.succeeded' && (e.data.object as Stripe.Charge).metadata.challenge_id === challenge.id,
      ).length,
      1,
    )
  })

  test('concurrent submissions of one credential settle once', async () => {
    const challenge = f.challengeFor(600)
    const payload = { spt: sharedPaymentToken('spt_testOk') }
    const attempts = await Promise.allSettled(
      Array.from({ length: 5 }, () => f.rail.settleMppCredential({ challenge, payload, linkId: 'link_api' })),
    )
    assert.equal(attempts.filter((a) => a.status === 'fulfilled').length, 1)
    assert.ok(attempts.every((a) => a.status === 'fulfilled' || a.reason instanceof Problem.InvalidChallengeError))
    assert.equal(intentsFor(challenge.id).length, 1)
  })

  test('requires_action maps to verification-failed (PaymentActionRequiredError) and unlocks nothing', async () => {
    const challenge = f.challengeFor(600)
    await assert.rejects(
      f.rail.settleMppCredential({ challenge, payload: { spt: sharedPaymentToken('spt_testRequiresAction') }, linkId: 'link_api' }),
      (error: unknown) => {
        assert.ok(error instanceof PaymentActionRequiredError)
        assert.ok(error instanceof Problem.VerificationFailedError)
        assert.equal(error.status, 402)
        assert.equal(error.type, 'https://paymentauth.org/problems/verification-failed')
        assert.match(error.detail, /requires_action/)
        return true
      },
    )
    const [intent] = intentsFor(challenge.id)
    assert.equal(intent?.status, 'requires_action')
    assert.equal(await Settlements.get(f.db, `stripe:${intent?.id}`), null)
  })

  test("a declined token is verification-failed with Stripe's message", async () => {
    const challenge = f.challengeFor(600)
    await assert.rejects(
      f.rail.settleMppCredential({ challenge, payload: { spt: sharedPaymentToken('spt_testDeclined') }, linkId: 'link_api' }),
      (error: unknown) => {
        assert.ok(error instanceof Problem.VerificationFailedError)
        assert.equal(error.detail, 'Stripe declined the payment: Your card was declined.')
        return true
      },
    )
  })

  test('a token already spent on another challenge is refused', async () => {
    const spt = sharedPaymentToken('spt_testOk')
    await f.rail.settleMppCredential({ challenge: f.challengeFor(600), payload: { spt }, linkId: 'link_api' })
    await assert.rejects(
      f.rail.settleMppCredential({ challenge: f.challengeFor(600), payload: { spt }, linkId: 'link_api' }),
      (error: unknown) => {
        assert.ok(error instanceof Problem.VerificationFailedError)
        assert.match(error.detail, /already been used/)
        return true
      },
    )
  })

  test('an unknown token and one over its usage limit are refused', async () => {
    await assert.rejects(
      f.rail.settleMppCredential({ challenge: f.challengeFor(600), payload: { spt: 'spt_unknownToken123' }, linkId: 'link_api' }),
      Problem.VerificationFailedError,
    )
    const granted = (await f.stripe.rawRequest('POST', '/v1/test_helpers/shared_payment/granted_tokens', {
      payment_method: 'pm_card_visa',
      usage_limits: { currency: 'usd', max_amount: 500, expires_at: Math.floor(Date.now() / 1000) + 3600 },
    })) as unknown as { id: string }
    await assert.rejects(
      f.rail.settleMppCredential({ challenge: f.challengeFor(600), payload: { spt: granted.id }, linkId: 'link_api' }),
      (error: unknown) => {
        assert.ok(error instanceof Problem.VerificationFailedError)
        assert.match(error.detail, /usage limit/)
        return true
      },
    )
    // Within its limit the same granted token pays.
    const settled = await f.rail.settleMppCredential({ challenge: f.challengeFor(500), payload: { spt: granted.id }, linkId: 'link_api' })
    assert.match(settled.reference, /^pi_/)
  })

  test('mppx 0.11, the reference client, builds a Shared Payment Token credential the rail settles', async () => {
    const challenge = f.challengeFor(500)
    const seen: Array<{ amount: string; currency: string; networkId: string | undefined }> = []
    const client = mppxStripe.charge({
      paymentMethod: 'pm_card_visa',
      // What an agent's wallet does: ask Stripe to grant the seller a token bounded by the challenge.
      async createToken({ amount, currency, expiresAt, networkId, paymentMethod }) {
        seen.push({ amount, currency, networkId })
        const token = (await f.stripe.rawRequest('POST', '/v1/test_helpers/shared_payment/granted_tokens', {
          payment_method: paymentMethod,
          usage_limits: { currency, max_amount: Number(amount), expires_at: expiresAt },
          seller_details: { network_id: networkId },
        })) as unknown as { id: string }
        return token.id
      },
    })
    const header = await client.createCredential({
      challenge: challenge as Parameters<typeof client.createCredential>[0]['challenge'],
      context: {},
    })
    assert.deepEqual(seen, [{ amount: '500', currency: 'usd', networkId: 'internal' }])
    const credential = Credential.deserialize(header)
    const settled = await f.rail.settleMppCredential({ challenge: credential.challenge, payload: credential.payload, linkId: 'link_api' })
    assert.equal(f.double.intents.get(settled.reference)?.status, 'succeeded')
  })

  test('Stripe being down is StripeUnavailableError; the same credential settles once it is back, without a second charge', async () => {
    const challenge = f.challengeFor(600)
    const payload = { spt: sharedPaymentToken('spt_testOk') }
    f.double.failNextRequests(3)
    await assert.rejects(f.rail.settleMppCredential({ challenge, payload, linkId: 'link_api' }), StripeUnavailableError)
    const settled = await f.rail.settleMppCredential({ challenge, payload, linkId: 'link_api' })
    assert.deepEqual(
      intentsFor(challenge.id).map((pi) => pi.id),
      [settled.reference],
    )
  })
})
