import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as Problem from '@/lib/protocol/Problem'
import * as Revert from './Revert'

test('the spec mapping from escrow reverts to problem types, transaction-reverted for the rest', () => {
  const expected: Array<[string | undefined, string, number]> = [
    ['AmountExceedsDeposit', 'session/amount-exceeds-deposit', 402],
    ['ChannelNotFound', 'session/channel-not-found', 410],
    ['ChannelFinalized', 'session/channel-finalized', 410],
    ['InvalidSignature', 'session/invalid-signature', 402],
    ['TransferFailed', 'session/insufficient-balance', 402],
    ['NonceMismatch', 'session/transaction-reverted', 409],
    ['AmountNotIncreasing', 'session/transaction-reverted', 409],
    ['ChannelAlreadyExists', 'session/transaction-reverted', 409],
    ['Error', 'session/transaction-reverted', 409],
    ['__proto__', 'session/transaction-reverted', 409],
    [undefined, 'session/transaction-reverted', 409],
  ]
  for (const [name, code, status] of expected) {
    const problem = Revert.problemFor(name, { channelId: '0xab' })
    assert.equal(problem.code, code, String(name))
    assert.equal(problem.status, status)
    assert.deepEqual(Problem.toJSON(problem).channelId, '0xab')
  }
  assert.match(Revert.problemFor('NonceMismatch').detail, /reverted \(NonceMismatch\)/)
})
