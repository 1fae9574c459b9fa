// Property: whatever a client puts in PAYMENT-SIGNATURE, decode() returns a validated payload or
// throws MalformedCredentialError; nothing else ever escapes (a stray TypeError would become a 500).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { bytesToHex, maxUint256 } from 'viem'
import { MalformedCredentialError } from '@/lib/protocol/Problem'
import * as PaymentRequirements from './PaymentRequirements'
import * as PaymentSignature from './PaymentSignature'

const numRuns = 2_000

function decodesOrIsMalformed(run: () => unknown): boolean {
  try {
    run()
  } catch (error) {
    if (!(error instanceof MalformedCredentialError)) throw error
  }
  return true
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')

const requirements = PaymentRequirements.exactEvm({
  chainId: 84532,
  asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  amount: '10000',
  payTo: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
  maxTimeoutSeconds: 60,
  name: 'USDC',
  version: '2',
})

const valid = {
  x402Version: 2,
  resource: { url: 'https://tollgate.test/l/abc', description: 'An article' },
  accepted: requirements,
  payload: {
    signature: `0x${'1b'.repeat(65)}`,
    authorization: {
      from: '0x857b06519E91e3A54538791bDbb0E22373e36b66',
      to: requirements.payTo,
      value: '10000',
      validAfter: '0',
      validBefore: '1740672154',
      nonce: `0x${'f3'.repeat(32)}`,
    },
  },
}

type Path = Array<string | number>

function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const paths: Path[] = [prefix]
  if (typeof value === 'object' && value !== null)
    for (const [key, child] of Object.entries(value)) paths.push(...pathsOf(child, [...prefix, Array.isArray(value) ? Number(key) : key]))
  return paths
}

function setAt(value: unknown, path: Path, replacement: unknown): unknown {
  const [head, ...rest] = path
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
  fc.constantFrom('0x', '0x00', `0x${'0'.repeat(64)}`, '', ' ', 'eip155:0', 'permit2', 'erc7710', '__proto__', 'constructor'),
)

function getAt(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, step) => (node as Record<string | number, unknown>)[step], value)
}

const objectPaths = pathsOf(valid).filter((path) => {
  const node = getAt(valid, path)
  return typeof node === 'object' && node !== null && !Array.isArray(node)
})

/** The valid payload with one node replaced, or with one extra key added to one of its objects. */
const mutatedPayload = fc.oneof(
  fc.tuple(fc.constantFrom(...pathsOf(valid)), junk).map(([path, replacement]) => setAt(valid, path, replacement)),
  fc
    .tuple(
      fc.constantFrom(...objectPaths),
      fc.oneof(fc.string(), fc.constantFrom('__proto__', 'permit2Authorization', 'extra', 'assetTransferMethod')),
      junk,
    )
    .map(([path, key, extra]) => setAt(valid, path, { ...(getAt(valid, path) as object), [key]: extra })),
)

const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((bytes) => bytesToHex(bytes))
const uint256 = fc.bigInt({ min: 0n, max: maxUint256 }).map(String)

describe('PaymentSignature.decode under arbitrary input', () => {
  test('arbitrary strings', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.base64String(), fc.string({ unit: fc.constantFrom(...'AQab+/=_- \t') })),
        (header) => decodesOrIsMalformed(() => PaymentSignature.decode(header)),
      ),
      { numRuns },
    )
  })

  test('base64 of arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) =>
        decodesOrIsMalformed(() => PaymentSignature.decode(Buffer.from(bytes).toString('base64'))),
      ),
      { numRuns },
    )
  })

  test('base64 of arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => decodesOrIsMalformed(() => PaymentSignature.decode(base64(JSON.stringify(json) ?? 'null')))),
      { numRuns },
    )
  })

  test('base64 of a valid payload with one part broken or added', () => {
    fc.assert(
      fc.property(mutatedPayload, (payload) =>
        decodesOrIsMalformed(() => PaymentSignature.decode(base64(JSON.stringify(payload) ?? 'null'))),
      ),
      { numRuns },
    )
  })

  test('parse of arbitrary JavaScript values', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withBoxedValues: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withNullPrototype: true,
          withSparseArray: true,
          withTypedArray: true,
        }),
        (value) => decodesOrIsMalformed(() => PaymentSignature.parse(value)),
      ),
      { numRuns },
    )
  })

  test('parse of a valid payload with one part broken or added', () => {
    fc.assert(
      fc.property(mutatedPayload, (payload) => decodesOrIsMalformed(() => PaymentSignature.parse(payload))),
      { numRuns },
    )
  })
})

describe('PaymentSignature.decode of well-formed payloads', () => {
  test('any well-formed EIP-3009 payload decodes to itself and matches the requirements it accepted', () => {
    fc.assert(
      fc.property(
        fc.record({
          chainId: fc.integer({ min: 1, max: 2 ** 40 }),
          asset: address,
          payTo: address,
          from: address,
          amount: uint256,
          value: uint256,
          validAfter: uint256,
          validBefore: uint256,
          nonce: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => bytesToHex(bytes)),
          signature: fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => bytesToHex(bytes)),
          maxTimeoutSeconds: fc.integer({ min: 1, max: 86_400 }),
          name: fc.string({ minLength: 1 }),
          version: fc.string({ minLength: 1 }),
        }),
        (parameters) => {
          const offered = PaymentRequirements.exactEvm(parameters)
          const payload: PaymentSignature.PaymentPayload = {
            x402Version: 2,
            accepted: offered,
            payload: {
              signature: parameters.signature,
              authorization: {
                from: parameters.from,
                to: offered.payTo,
                value: parameters.value,
                validAfter: parameters.validAfter,
                validBefore: parameters.validBefore,
                nonce: parameters.nonce,
              },
            },
          }
          const decoded = PaymentSignature.decode(PaymentSignature.encode(payload))
          assert.deepEqual(decoded, payload)
          assert.equal(PaymentSignature.matchAccepted(decoded.accepted, [offered]), offered)
        },
      ),
      { numRuns },
    )
  })
})
