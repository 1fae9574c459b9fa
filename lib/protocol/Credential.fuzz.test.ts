import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import * as Base64Url from './Base64Url'
import * as Challenge from './Challenge'
import * as Credential from './Credential'
import { MalformedCredentialError } from './Problem'

const numRuns = 2000

/** Deserializes, letting only MalformedCredentialError through; success must re-serialize to an equal credential. */
function check(value: string): void {
  let credential: Credential.Credential
  try {
    credential = Credential.deserialize(value)
  } catch (error) {
    if (error instanceof MalformedCredentialError) return
    throw error
  }
  assert.deepEqual(Credential.deserialize(Credential.serialize(credential)), credential)
}

const challenge = Challenge.create({
  secret: 'fuzz',
  realm: 'api.example.com',
  method: 'evm',
  intent: 'charge',
  request: { amount: '1000' },
  expires: '2030-01-01T00:00:00Z',
  opaque: { resource: 'r' },
})
const valid = Credential.serialize({ challenge, payload: { signature: '0x1' }, source: 'did:x' })
const validToken = valid.slice('Payment '.length)
const validWire = Base64Url.decodeJson(validToken) as { challenge: Record<string, unknown>; payload: unknown; source?: unknown }

const scalar = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
)
const base64urlOf = (text: string) => Base64Url.encode(text)
const encodedJson = (value: unknown) => `Payment ${base64urlOf(JSON.stringify(value) ?? 'null')}`

test('arbitrary text', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 80 }),
        fc.string({ maxLength: 80 }).map((s) => `Payment ${s}`),
      ),
      check,
    ),
    { numRuns },
  )
})

test('Payment + base64url of arbitrary text and JSON', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 80 }).map((s) => `Payment ${base64urlOf(s)}`),
        fc.jsonValue().map(encodedJson),
        fc.uint8Array({ maxLength: 60 }).map((b) => `Payment ${Base64Url.encode(b)}`),
      ),
      check,
    ),
    { numRuns },
  )
})

test('the credential shape with arbitrary member values', () => {
  const request = fc.oneof(
    scalar,
    fc.jsonValue().map((v) => base64urlOf(JSON.stringify(v) ?? '')),
    fc.constant(validWire.challenge.request),
  )
  const echo = fc.record(
    {
      id: fc.oneof(scalar, fc.constant(challenge.id)),
      realm: fc.oneof(scalar, fc.constant('api.example.com')),
      method: fc.oneof(scalar, fc.constantFrom('evm', 'EVM', 'stripe', '')),
      intent: fc.oneof(scalar, fc.constantFrom('charge', 'charge-v2', 'a b')),
      request,
      expires: fc.oneof(scalar, fc.constantFrom('2030-01-01T00:00:00Z', '2030-02-30T00:00:00Z')),
      description: scalar,
      digest: fc.oneof(scalar, fc.constant('sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:')),
      opaque: fc.oneof(scalar, request, fc.dictionary(fc.string({ maxLength: 4 }), scalar)),
      header: fc.oneof(scalar, fc.constantFrom('Payment-Authorization', 'a b')),
    },
    { requiredKeys: [] },
  )
  fc.assert(
    fc.property(
      fc
        .record(
          { challenge: fc.oneof(echo, scalar), payload: fc.oneof(scalar, fc.jsonValue(), fc.constant({ a: 1 })), source: scalar },
          { requiredKeys: [] },
        )
        .map(encodedJson),
      check,
    ),
    { numRuns },
  )
})

test('mutations of a valid credential', () => {
  fc.assert(
    fc.property(
      fc.nat(validToken.length - 1),
      fc.string({ unit: 'binary', minLength: 0, maxLength: 3 }),
      fc.nat(3),
      (at, insert, remove) => {
        const mutated = validToken.slice(0, at) + insert + validToken.slice(at + remove)
        check(`Payment ${mutated}`)
        const json = JSON.stringify(validWire)
        const jsonAt = at % json.length
        check(`Payment ${base64urlOf(json.slice(0, jsonAt) + insert + json.slice(jsonAt + remove))}`)
      },
    ),
    { numRuns },
  )
})

test('fromHeaders: undefined, a credential, or MalformedCredentialError', () => {
  const value = fc.oneof(
    fc.constant(valid),
    fc.string({ maxLength: 40 }),
    fc.string({ maxLength: 40 }).map((s) => `Payment ${s}`),
    fc.constant(`${valid}, ${valid}`),
  )
  fc.assert(
    fc.property(fc.option(value), fc.option(value), (authorization, paymentAuthorization) => {
      const headers = new Headers()
      try {
        if (authorization !== null) headers.set('authorization', authorization)
        if (paymentAuthorization !== null) headers.set('payment-authorization', paymentAuthorization)
      } catch {
        return // not a legal header value; a server never sees it
      }
      try {
        Credential.fromHeaders(headers)
      } catch (error) {
        if (!(error instanceof MalformedCredentialError)) throw error
      }
    }),
    { numRuns },
  )
})
