import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as Problem from './Problem'

const expected = [
  { Class: Problem.PaymentRequiredError, name: 'PaymentRequiredError', code: 'payment-required', title: 'Payment Required', status: 402 },
  {
    Class: Problem.MalformedCredentialError,
    name: 'MalformedCredentialError',
    code: 'malformed-credential',
    title: 'Malformed Credential',
    status: 402,
  },
  {
    Class: Problem.InvalidChallengeError,
    name: 'InvalidChallengeError',
    code: 'invalid-challenge',
    title: 'Invalid Challenge',
    status: 402,
  },
  {
    Class: Problem.VerificationFailedError,
    name: 'VerificationFailedError',
    code: 'verification-failed',
    title: 'Verification Failed',
    status: 402,
  },
  { Class: Problem.PaymentExpiredError, name: 'PaymentExpiredError', code: 'payment-expired', title: 'Payment Expired', status: 402 },
  {
    Class: Problem.PaymentInsufficientError,
    name: 'PaymentInsufficientError',
    code: 'payment-insufficient',
    title: 'Payment Insufficient',
    status: 402,
  },
  {
    Class: Problem.MethodUnsupportedError,
    name: 'MethodUnsupportedError',
    code: 'method-unsupported',
    title: 'Method Unsupported',
    status: 400,
  },
  // draft-evm-session-00, Problem Type Registration (title and status as registered there).
  ...(
    [
      [Problem.InvalidSignatureError, 'InvalidSignatureError', 'session/invalid-signature', 'Invalid Signature', 402],
      [Problem.SignerMismatchError, 'SignerMismatchError', 'session/signer-mismatch', 'Signer Mismatch', 402],
      [Problem.AmountExceedsDepositError, 'AmountExceedsDepositError', 'session/amount-exceeds-deposit', 'Amount Exceeds Deposit', 402],
      [Problem.DeltaTooSmallError, 'DeltaTooSmallError', 'session/delta-too-small', 'Delta Too Small', 402],
      [Problem.ChannelNotFoundError, 'ChannelNotFoundError', 'session/channel-not-found', 'Channel Not Found', 410],
      [Problem.ChannelFinalizedError, 'ChannelFinalizedError', 'session/channel-finalized', 'Channel Finalized', 410],
      [Problem.ChallengeNotFoundError, 'ChallengeNotFoundError', 'session/challenge-not-found', 'Challenge Not Found', 402],
      [Problem.InsufficientBalanceError, 'InsufficientBalanceError', 'session/insufficient-balance', 'Insufficient Balance', 402],
      [Problem.TransactionRevertedError, 'TransactionRevertedError', 'session/transaction-reverted', 'Transaction Reverted', 409],
    ] as const
  ).map(([Class, name, code, title, status]) => ({ Class, name, code, title, status })),
] as const

describe('Problem', () => {
  test('the core spec defines seven problem types and the session spec nine more', () => {
    assert.deepEqual(Object.keys(Problem.definitions).sort(), expected.map((e) => e.code).sort())
    assert.equal(Object.keys(Problem.definitions).filter((code) => code.startsWith('session/')).length, 9)
  })

  for (const { Class, name, code, title, status } of expected)
    test(`${code}: ${status} ${title}`, () => {
      const cause = new Error('rpc down')
      const error = new Class('Human-readable description', { cause })
      assert.ok(error instanceof Problem.PaymentProblem)
      assert.ok(error instanceof Error)
      assert.equal(error.name, name)
      assert.equal(error.code, code)
      assert.equal(error.type, `https://paymentauth.org/problems/${code}`)
      assert.equal(error.title, title)
      assert.equal(error.status, status)
      assert.equal(error.detail, 'Human-readable description')
      assert.equal(error.message, 'Human-readable description')
      assert.equal(error.cause, cause)
      assert.deepEqual(Problem.toJSON(error), {
        type: `https://paymentauth.org/problems/${code}`,
        title,
        status,
        detail: 'Human-readable description',
      })
      assert.ok(Problem.create(code, 'x') instanceof Class)
      const back = Problem.fromJSON(JSON.parse(JSON.stringify(Problem.toJSON(error))))
      assert.ok(back instanceof Class)
      assert.equal(back.detail, 'Human-readable description')
    })

  test('toJSON matches the spec example body and carries extensions like challengeId', () => {
    const body = Problem.toJSON(new Problem.PaymentRequiredError('Payment required for access.'), { challengeId: 'qB3wErTyU7iOpAsD9fGhJk' })
    assert.deepEqual(body, {
      type: 'https://paymentauth.org/problems/payment-required',
      title: 'Payment Required',
      status: 402,
      detail: 'Payment required for access.',
      challengeId: 'qB3wErTyU7iOpAsD9fGhJk',
    })
  })

  test('extensions cannot override standard members', () => {
    const body = Problem.toJSON(new Problem.VerificationFailedError('bad'), { status: 200, type: 'x' })
    assert.equal(body.status, 402)
    assert.equal(body.type, 'https://paymentauth.org/problems/verification-failed')
  })

  test('a session problem carries its channelId in the body and back', () => {
    const channelId = `0x${'6d'.repeat(32)}`
    const error = new Problem.InvalidSignatureError('Voucher signature could not be verified', { extensions: { channelId } })
    // The session spec's example error response.
    assert.deepEqual(Problem.toJSON(error), {
      type: 'https://paymentauth.org/problems/session/invalid-signature',
      title: 'Invalid Signature',
      status: 402,
      detail: 'Voucher signature could not be verified',
      channelId,
    })
    const back = Problem.fromJSON(JSON.parse(JSON.stringify(Problem.toJSON(error))))
    assert.ok(back instanceof Problem.InvalidSignatureError)
    assert.deepEqual(back.extensions, { channelId })
    assert.equal(Problem.toJSON(new Problem.ChannelNotFoundError('x', { extensions: { status: 200 } })).status, 410)
  })

  test('a malformed session payload is 400 (session spec) with the core malformed-credential type', () => {
    // Spec disagreement: the core spec answers malformed credentials with 402; draft-evm-session-00's Error
    // Responses table answers a malformed session payload with 400. The method spec wins for its payloads.
    const error = new Problem.MalformedSessionPayloadError('payload.channelId: expected a 0x-prefixed 32-byte hex value')
    assert.ok(error instanceof Problem.MalformedCredentialError)
    assert.equal(error.status, 400)
    assert.equal(error.type, 'https://paymentauth.org/problems/malformed-credential')
    assert.equal(Problem.toJSON(error).status, 400)
    assert.equal(new Problem.MalformedCredentialError('x').status, 402)
  })

  test('fromJSON ignores foreign or malformed bodies', () => {
    for (const body of [
      null,
      'x',
      {},
      { type: 'about:blank' },
      { type: 'https://paymentauth.org/problems/nope' },
      { type: 'https://paymentauth.org/problems/__proto__' },
    ])
      assert.equal(Problem.fromJSON(body), undefined)
    assert.equal(Problem.fromJSON({ type: 'https://paymentauth.org/problems/payment-expired' })?.detail, 'Payment Expired')
  })

  test('is / from', () => {
    const problem = new Problem.InvalidChallengeError('unknown id')
    assert.equal(Problem.is(problem), true)
    assert.equal(Problem.is(new Error('x')), false)
    assert.equal(
      Problem.from(problem, () => assert.fail()),
      problem,
    )
    const wrapped = Problem.from(new TypeError('boom'), (cause) => new Problem.VerificationFailedError('could not verify', { cause }))
    assert.ok(wrapped instanceof Problem.VerificationFailedError)
    assert.ok(wrapped.cause instanceof TypeError)
  })

  test('contentType is application/problem+json', () => {
    assert.equal(Problem.contentType, 'application/problem+json')
  })
})
