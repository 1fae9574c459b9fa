// Issue 4: rate limits on challenge issuance and credential attempts per client (429 + Retry-After),
// and a challenge that outlives CHALLENGE_TTL_SECONDS is refused as expired (a real clock, no forging).
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { anvilAccount } from '@/scripts/chain/deploy'
import { type Stack, startStack } from '@/test/support/stack'
import { mppCredentialFor } from './internal/payers'
import { type ExpectedProblem, assertProblem } from './internal/problems'

const challengesPerMinute = 3
const credentialsPerMinute = 2

/**
 * The limiter counts per client. This suite's server trusts the proxy on loopback (TRUST_PROXY, see
 * client-keys.test.ts), so the X-Forwarded-For entry "it" appends makes each test its own client.
 */
const client = () => ({ 'x-forwarded-for': `10.${randomBytes(3).join('.')}` })

/** Sends a request and checks its problem; challenges are judged fresh against the time it was sent (the TTL is 1 s). */
async function expectProblem(url: string, init: RequestInit, expected: Omit<ExpectedProblem, 'sentAt'>): Promise<Response> {
  const sentAt = Date.now()
  const response = await fetch(url, init)
  await assertProblem(response.clone(), { ...expected, sentAt })
  return response
}

/** Fixed one-minute windows: start a burst early enough in a window that it cannot straddle two. */
async function atWindowStart(): Promise<void> {
  const intoWindow = Date.now() % 60_000
  if (intoWindow > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoWindow + 100))
}

describe('rate limits and challenge lifetime', () => {
  let stack: Stack
  let secret: string
  before(async () => {
    stack = await startStack({
      env: {
        RATE_LIMIT_CHALLENGES_PER_MINUTE: String(challengesPerMinute),
        RATE_LIMIT_CREDENTIALS_PER_MINUTE: String(credentialsPerMinute),
        CHALLENGE_TTL_SECONDS: '1',
        TRUST_PROXY: 'loopback',
      },
    })
    secret = stack.env.MPP_SECRET_KEY!
  })
  after(async () => {
    await stack?.stop()
  })

  test('challenges beyond the per-minute limit get 429 with Retry-After; other clients are unaffected', async () => {
    await atWindowStart()
    const me = client()
    for (let i = 0; i < challengesPerMinute; i++)
      await expectProblem(`${stack.url}/l/demo`, { headers: me }, { status: 402, code: 'payment-required', secret })
    const limited = await expectProblem(`${stack.url}/l/demo`, { headers: me }, { status: 429, secret })
    const retryAfter = Number(limited.headers.get('retry-after'))
    assert.ok(
      Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60,
      `Retry-After is whole seconds within the window: ${retryAfter}`,
    )
    // The limit is per client and per kind: a new client still gets its challenge.
    await expectProblem(`${stack.url}/api/examples/joke`, { headers: client() }, { status: 402, code: 'payment-required', secret })
  })

  test('credential attempts beyond the per-minute limit, malformed ones included, get 429 before any verification', async () => {
    await atWindowStart()
    const me = client()
    for (let i = 0; i < credentialsPerMinute; i++)
      await expectProblem(
        `${stack.url}/l/demo`,
        { headers: { ...me, authorization: 'Payment not-a-credential' } },
        { status: 402, code: 'malformed-credential', secret },
      )
    const limited = await expectProblem(`${stack.url}/l/demo`, { headers: { ...me, 'payment-signature': 'eyJ9' } }, { status: 429, secret })
    assert.ok(Number(limited.headers.get('retry-after')) >= 1)
  })

  test('a challenge used after CHALLENGE_TTL_SECONDS: 402 payment-expired with a fresh challenge', async () => {
    const challenge = await fetch(`${stack.url}/l/demo`, { headers: client() })
    assert.equal(challenge.status, 402)
    const credential = await mppCredentialFor(anvilAccount(1), challenge)
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    await expectProblem(
      `${stack.url}/l/demo`,
      { headers: { ...client(), authorization: credential } },
      { status: 402, code: 'payment-expired', secret },
    )
  })
})
