// Properties: parsePayload() returns a payload or throws MalformedCredentialError, parseRequest()
// returns a request or throws InvalidChallengeError, whatever they are given; and the challenge
// hash agrees with the reference client for any id and realm.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import * as MppxEvm from 'mppx/evm'
import { maxUint256 } from 'viem'
import { InvalidChallengeError, MalformedCredentialError } from '@/lib/protocol/Problem'
import * as Evm from './evm'

const numRuns = 2_000

function onlyThrows(errorClass: new (...args: never[]) => Error, run: () => unknown): boolean {
  try {
    run()
  } catch (error) {
    if (!(error instanceof errorClass)) throw error
  }
  return true
}

type Path = Array<string | number>
const pathsOf = (value: unknown, prefix: Path = []): Path[] =>
  typeof value === 'object' && value !== null
    ? [prefix, ...Object.entries(value).flatMap(([key, child]) => pathsOf(child, [...prefix, Array.isArray(value) ? Number(key) : key]))]
    : [prefix]
const setAt = (value: unknown, [head, ...rest]: Path, replacement: unknown): unknown => {
  if (head === undefined) return replacement
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>
  copy[head] = setAt(copy[head], rest, replacement)
  return copy
}
const junk = fc.oneof(
  fc.jsonValue(),
  fc.constant(undefined),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.bigInt({ min: -1n, max: maxUint256 + 1n }).map(String),
  fc.constantFrom('0x', `0x${'0'.repeat(64)}`, '', 'authorization', 'permit2', 'hash', 'transaction', '__proto__'),
)
const mutationsOf = (valid: unknown) =>
  fc.tuple(fc.constantFrom(...pathsOf(valid)), junk).map(([path, replacement]) => setAt(valid, path, replacement))
const anything = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withSparseArray: true,
  withTypedArray: true,
})

const token = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'
const merchant = '0x742d35Cc6634c0532925a3b844bC9e7595F8fE00'
const signature = `0x${'1b'.repeat(65)}`
const validPayloads = [
  {
    type: 'authorization',
    from: token,
    to: merchant,
    value: '1',
    validAfter: '0',
    validBefore: '2',
    nonce: `0x${'ab'.repeat(32)}`,
    signature,
  },
  { type: 'hash', hash: `0x${'cd'.repeat(32)}` },
  { type: 'transaction', signature: '0x02f8' },
  {
    type: 'permit2',
    permit: {
      permitted: [
        { token, amount: '10' },
        { token, amount: '1' },
      ],
      nonce: '1',
      deadline: '9',
    },
    transferDetails: [
      { to: merchant, requestedAmount: '10' },
      { to: token, requestedAmount: '1' },
    ],
    witness: { challengeHash: `0x${'ef'.repeat(32)}`, externalId: 'order-1' },
    signature,
  },
]
const validRequest = {
  amount: '100',
  currency: token,
  recipient: merchant,
  description: 'x',
  externalId: 'y',
  methodDetails: {
    chainId: 8453,
    decimals: 6,
    credentialTypes: ['authorization', 'hash'],
    permit2Address: Evm.canonicalPermit2Address,
    splits: [{ recipient: merchant, amount: '1', memo: 'fee' }],
  },
}

describe('evm.parsePayload under arbitrary input', () => {
  test('arbitrary values', () => {
    fc.assert(
      fc.property(anything, (value) => onlyThrows(MalformedCredentialError, () => Evm.parsePayload(value))),
      { numRuns },
    )
  })

  test('valid payloads with one part broken', () => {
    fc.assert(
      fc.property(fc.oneof(...validPayloads.map(mutationsOf)), (value) =>
        onlyThrows(MalformedCredentialError, () => Evm.parsePayload(value)),
      ),
      { numRuns },
    )
  })

  test('the unbroken payloads parse to themselves', () => {
    for (const payload of validPayloads) assert.deepEqual(Evm.parsePayload(payload), payload)
  })
})

describe('evm.parseRequest under arbitrary input', () => {
  test('arbitrary values', () => {
    fc.assert(
      fc.property(anything, (value) => onlyThrows(InvalidChallengeError, () => Evm.parseRequest(value))),
      { numRuns },
    )
  })

  test('a valid request with one part broken', () => {
    fc.assert(
      fc.property(mutationsOf(validRequest), (value) => onlyThrows(InvalidChallengeError, () => Evm.parseRequest(value))),
      { numRuns },
    )
    assert.deepEqual(Evm.parseRequest(validRequest), validRequest)
  })
})

test('authorizationNonce agrees with mppx challengeHash for any id and realm', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), (id, realm) => {
      assert.equal(Evm.authorizationNonce(id, realm), MppxEvm.challengeHash({ id, realm }))
    }),
    { numRuns },
  )
})
