// Assertions on the gate's failure responses: status, problem type, caching and fresh challenges.
import assert from 'node:assert/strict'
import * as Binding from '@/lib/protocol/Binding'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Problem from '@/lib/protocol/Problem'
import * as PaymentRequired from '@/lib/protocol/x402/PaymentRequired'

export type ExpectedProblem = {
  status: number
  /** A paymentauth.org problem code; omit for plain problems (404, 410, 429). */
  code?: Problem.Code
  /** The MPP binding secret, to check that each challenge on a 402 was issued by the server. */
  secret: string
  /** Challenge ids that must not come back (the fresh challenge is new). */
  notIds?: string[]
  /** When the request was sent: each challenge must outlive it (default: now; pass it with very short TTLs). */
  sentAt?: number
}

export type CheckedProblem = { body: Problem.Body; challenges: Challenge.Challenge[] }

export async function assertProblem(response: Response, expected: ExpectedProblem): Promise<CheckedProblem> {
  const text = await response.text()
  assert.equal(response.status, expected.status, `expected ${expected.status}, got ${response.status}: ${text.slice(0, 300)}`)
  assert.equal(response.headers.get('cache-control'), 'no-store')
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/)
  const body = JSON.parse(text) as Problem.Body
  assert.equal(body.status, expected.status)
  if (expected.code) assert.equal(body.type, `${Problem.baseUri}${expected.code}`)
  assert.equal(typeof body.detail, 'string')

  let challenges: Challenge.Challenge[] = []
  if (expected.status === 402) {
    challenges = Challenge.deserializeList(response.headers.get('www-authenticate') ?? '')
    assert.ok(challenges.length >= 1, 'a 402 carries at least one Payment challenge')
    for (const challenge of challenges) {
      assert.ok(Binding.verify(challenge, [expected.secret]), 'each challenge is bound with the server secret')
      assert.ok(!Challenge.isExpired(challenge, expected.sentAt ?? Date.now()), 'each challenge is unexpired')
      assert.ok(!expected.notIds?.includes(challenge.id), 'the challenge is fresh, not the one the credential echoed')
    }
    const x402 = response.headers.get('payment-required')
    if (challenges.some((c) => c.method === 'evm' && c.intent === 'charge')) {
      assert.ok(x402, 'an EVM offer comes with an x402 PAYMENT-REQUIRED header')
      assert.equal(PaymentRequired.decode(x402).x402Version, 2)
    }
  } else {
    assert.equal(response.headers.get('www-authenticate'), null, `a ${expected.status} carries no challenge`)
  }
  return { body, challenges }
}
