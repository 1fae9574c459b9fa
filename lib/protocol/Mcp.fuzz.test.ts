import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import * as Challenge from './Challenge'
import * as Mcp from './Mcp'
import { MalformedCredentialError } from './Problem'
import * as Receipt from './Receipt'

const numRuns = 2000

const challenge = Challenge.create({
  secret: 'fuzz',
  realm: 'api.example.com',
  method: 'evm',
  intent: 'charge',
  request: { amount: '1000', methodDetails: { chainId: 1 } },
  expires: '2030-01-01T00:00:00Z',
  digest: 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:',
  opaque: { resource: 'r' },
  description: 'fuzz',
})
const validChallenge = JSON.parse(JSON.stringify(Mcp.challengeToJson(challenge))) as Record<string, unknown>
const validCredential = JSON.parse(
  JSON.stringify(Mcp.credentialToJson({ challenge, payload: { type: 'hash', hash: '0x1' }, source: 'did:x' })),
) as Record<string, unknown>

/** JSON values as JSON.parse makes them (plus "__proto__" keys), any depth up to 4. */
const json = fc.jsonValue({ maxDepth: 4 })
const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', '_meta', Mcp.credentialMetaKey))

/** A valid object with one member replaced, removed, or added. */
function mutated(base: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const names = Object.keys(base)
  return fc.oneof(
    fc.tuple(fc.constantFrom(...names), json).map(([name, value]) => ({ ...base, [name]: value })),
    fc.constantFrom(...names).map((name) => {
      const copy = { ...base }
      delete copy[name]
      return copy
    }),
    fc.tuple(key, json).map(([name, value]) => JSON.parse(JSON.stringify({ ...base, [name]: value })) as Record<string, unknown>),
  )
}

/** A value as the wire carries it: JSON writes -0 as 0 (RFC 8785 too), so a -0 read from the wire comes back as 0. */
function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value))
}

function challengeCheck(value: unknown): void {
  let read: Challenge.Challenge
  try {
    read = Mcp.challengeFromJson(value)
  } catch (error) {
    if (error instanceof Challenge.MalformedChallengeError) return
    throw error
  }
  assert.deepEqual(asJson(Mcp.challengeFromJson(asJson(Mcp.challengeToJson(read)))), asJson(read))
}

function credentialCheck(value: unknown): void {
  let read
  try {
    read = Mcp.credentialFromJson(value)
  } catch (error) {
    if (error instanceof MalformedCredentialError) return
    throw error
  }
  assert.deepEqual(asJson(Mcp.credentialFromJson(asJson(Mcp.credentialToJson(read)))), asJson(read))
}

test('challengeFromJson: any JSON, and valid challenges with one member changed', () => {
  fc.assert(fc.property(fc.oneof(json, mutated(validChallenge)), challengeCheck), { numRuns })
})

test('challengeFromJson: the request member is any JSON object', () => {
  fc.assert(
    // Through JSON.parse, as every JSON-RPC message is (fast-check's dictionaries have a null prototype).
    fc.property(fc.dictionary(key, json), (request) => challengeCheck(JSON.parse(JSON.stringify({ ...validChallenge, request })))),
    { numRuns },
  )
})

test('credentialFromJson: any JSON, valid credentials with one member changed, echoes with one member changed', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        json,
        mutated(validCredential),
        mutated(validChallenge).map((echo) => ({ ...validCredential, challenge: echo })),
      ),
      credentialCheck,
    ),
    { numRuns },
  )
})

test('credentialFromMessage: any message shape and `_meta` placement', () => {
  const meta = fc.oneof(
    json,
    fc.constant({ [Mcp.credentialMetaKey]: validCredential }),
    json.map((v) => ({ [Mcp.credentialMetaKey]: v })),
  )
  const message = fc.record(
    {
      jsonrpc: fc.constantFrom('2.0', '1.0'),
      id: fc.oneof(fc.integer(), fc.string()),
      method: fc.constantFrom('tools/call', 'x'),
      params: fc.oneof(
        json,
        meta.map((m) => ({ name: 't', _meta: m })),
      ),
      _meta: meta,
    },
    { requiredKeys: [] },
  )
  fc.assert(
    fc.property(fc.oneof(json, message), (value) => {
      try {
        const credential = Mcp.credentialFromMessage(value)
        if (credential) assert.ok(credential.challenge.id.length > 0)
      } catch (error) {
        if (!(error instanceof MalformedCredentialError)) throw error
      }
    }),
    { numRuns },
  )
})

test('receiptFromJson and paymentRequiredFromError: only their own errors, or null', () => {
  const receipt = { status: 'success', method: 'evm', timestamp: '2030-01-01T00:00:00Z', challengeId: 'c', reference: '0x1' }
  const error = JSON.parse(JSON.stringify(Mcp.verificationFailed([challenge], new MalformedCredentialError('x')))) as Record<
    string,
    unknown
  >
  fc.assert(
    fc.property(fc.oneof(json, mutated(receipt)), (value) => {
      try {
        Mcp.receiptFromJson(value)
      } catch (cause) {
        if (!(cause instanceof Receipt.MalformedReceiptError)) throw cause
      }
    }),
    { numRuns },
  )
  fc.assert(
    fc.property(
      fc.oneof(
        json,
        mutated(error),
        mutated(error.data as Record<string, unknown>).map((data) => ({ ...error, data })),
      ),
      (value) => {
        const info = Mcp.paymentRequiredFromError(value)
        if (info) assert.ok(info.challenges.length > 0)
      },
    ),
    { numRuns },
  )
})
