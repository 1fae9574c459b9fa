// Properties: Request.parse returns a request or throws InvalidChallengeError whatever it is given, and
// every request Request.create builds parses back to itself.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { InvalidRequestParametersError } from '@/lib/protocol/methods/evm'
import { InvalidChallengeError } from '@/lib/protocol/Problem'
import { anything, mutationsOf, numRuns, onlyThrows } from './internal/fuzzing'
import * as Request from './Request'

const valid = {
  amount: '100',
  unitType: 'llm_token',
  suggestedDeposit: '5000000',
  currency: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  recipient: '0x742d35Cc6634c0532925a3b844bC9e7595F8fE00',
  description: 'x',
  externalId: 'y',
  methodDetails: {
    chainId: 196,
    escrowContract: '0x1234567890AbcdEF1234567890aBcdef12345678',
    channelId: `0x${'6d'.repeat(32)}`,
    minVoucherDelta: '10000',
    feePayer: true,
    credentialTypes: ['permit2', 'authorization', 'hash'],
    permit2Contract: '0x000000000022D473030F116dDEE9F6B43aC78BA3',
  },
}

test('arbitrary values', () => {
  fc.assert(
    fc.property(anything, (value) => onlyThrows([InvalidChallengeError], () => Request.parse(value))),
    { numRuns },
  )
})

test('a valid request with one part broken', () => {
  fc.assert(
    fc.property(mutationsOf(valid), (value) => onlyThrows([InvalidChallengeError], () => Request.parse(value))),
    { numRuns },
  )
  assert.deepEqual(Request.parse(valid), valid)
})

test('create either refuses (InvalidRequestParametersError) or builds what parse returns unchanged', () => {
  const uint = fc.bigInt({ min: 0n, max: 2n ** 129n })
  fc.assert(
    fc.property(
      uint,
      fc.option(uint),
      fc.option(uint),
      fc.option(fc.boolean()),
      fc.option(fc.subarray(['permit2', 'authorization', 'hash'] as const, { minLength: 1 })),
      (amount, suggestedDeposit, minVoucherDelta, feePayer, credentialTypes) =>
        onlyThrows([InvalidRequestParametersError], () => {
          const request = Request.create({
            amount,
            currency: valid.currency as `0x${string}`,
            recipient: valid.recipient as `0x${string}`,
            chainId: 196,
            escrowContract: valid.methodDetails.escrowContract as `0x${string}`,
            ...(suggestedDeposit !== null ? { suggestedDeposit } : {}),
            ...(minVoucherDelta !== null ? { minVoucherDelta } : {}),
            ...(feePayer !== null ? { feePayer } : {}),
            ...(credentialTypes !== null ? { credentialTypes } : {}),
          })
          assert.deepEqual(Request.parse(JSON.parse(JSON.stringify(request))), request)
          assert.ok(!Request.acceptedCredentialTypes(request).includes('permit2'))
        }),
    ),
    { numRuns },
  )
})
