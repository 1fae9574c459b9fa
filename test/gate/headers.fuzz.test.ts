// Issue 4 acceptance: a fuzz test over the payment request headers (Authorization,
// Payment-Authorization, PAYMENT-SIGNATURE, Accept-Payment) against the running server.
// Whatever arrives, the answer is never a 5xx: bad input is always the client's 4xx (or a 200).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import fc from 'fast-check'
import * as Base64Url from '@/lib/protocol/Base64Url'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Credential from '@/lib/protocol/Credential'
import * as PaymentSignature from '@/lib/protocol/x402/PaymentSignature'
import { anvilAccount } from '@/scripts/chain/deploy'
import { type Stack, startStack } from '@/test/support/stack'
import { mppCredentialFor, x402SignatureFor } from './internal/payers'

// At least 500 requests in CI (the acceptance bar); the same locally.
const numRuns = Number(process.env.GATE_FUZZ_RUNS ?? 600)

type Target = { path: string; method: 'GET' | 'POST'; body?: string }
const summarizeBody = JSON.stringify({ text: 'Fuzzing is a way of asking every question at once.' })
const targets: Target[] = [
  { path: '/l/demo', method: 'GET' },
  { path: '/api/examples/joke', method: 'GET' },
  { path: '/api/examples/summarize', method: 'POST', body: summarizeBody },
]

/** Real credentials for each target, the seeds the structured arbitraries mutate. */
type Seeds = { mpp: Credential.Credential[]; x402: PaymentSignature.PaymentPayload[] }

const hex = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: min, maxLength: max }).map((s) => `0x${s}`)
// What fetch can carry in a header: Latin-1 without CR, LF or NUL, trimmed (fetch trims anyway).
const headerText = fc
  .string({
    unit: fc
      .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(0x09))
      .map((c) => String.fromCharCode(c)),
    maxLength: 300,
  })
  .map((s) => s.trim())
const scalar = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }).map(String),
  fc.boolean(),
  fc.constant(null),
  hex(0, 140),
)
const jsonish = fc.oneof({ weight: 3, arbitrary: scalar }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) })

/** `value` with one member (at any depth) replaced, removed, or added. */
function mutated(value: unknown): fc.Arbitrary<unknown> {
  if (value === null || typeof value !== 'object') return fc.oneof(jsonish, fc.constant(value))
  const entries = Object.entries(value as Record<string, unknown>)
  if (entries.length === 0) return jsonish
  return fc.oneof(
    fc
      .constantFrom(...entries.map(([key]) => key))
      .chain((key) =>
        mutated((value as Record<string, unknown>)[key]).map((child) =>
          Array.isArray(value) ? Object.assign([...value], { [key]: child }) : { ...value, [key]: child },
        ),
      ),
    fc.constantFrom(...entries.map(([key]) => key)).map((key) => Object.fromEntries(entries.filter(([k]) => k !== key))),
    fc.tuple(fc.string({ maxLength: 12 }), jsonish).map(([key, child]) => ({ ...value, [key]: child })),
  )
}

function authorizationValue(seeds: Seeds): fc.Arbitrary<string> {
  const seed = fc.constantFrom(...seeds.mpp)
  return fc.oneof(
    headerText,
    headerText.map((s) => `Payment ${s}`),
    fc.jsonValue({ maxDepth: 3 }).map((v) => `Payment ${Base64Url.encode(JSON.stringify(v) ?? 'null')}`),
    // The genuine challenge (binding intact) with an arbitrary payload: reaches the rail's own checks.
    seed.chain((c) =>
      mutated(c.payload).map((payload) =>
        Credential.serialize({
          ...c,
          payload: (payload && typeof payload === 'object' && !Array.isArray(payload) ? payload : { value: payload }) as Record<
            string,
            unknown
          >,
        }),
      ),
    ),
    seed.chain((c) =>
      fc
        .oneof(
          fc.record({ type: fc.constant('hash'), hash: hex(0, 70) }),
          fc.record({ type: fc.constant('transaction'), signature: hex(0, 300) }),
          fc.record({
            type: fc.constantFrom('authorization', 'permit2', 'x'),
            signature: hex(0, 140),
            from: hex(40, 40),
            to: hex(40, 40),
            value: scalar,
            nonce: hex(64, 64),
            validAfter: scalar,
            validBefore: scalar,
          }),
        )
        .map((payload) => Credential.serialize({ ...c, payload: payload as Record<string, unknown> })),
    ),
    // The whole wire credential with one member mutated (breaks the binding or the shape).
    seed
      .chain((c) => mutated(JSON.parse(Base64Url.decodeString(Credential.serialize(c).slice('Payment '.length)))))
      .map((wire) => `Payment ${Base64Url.encode(JSON.stringify(wire) ?? '')}`),
  )
}

function paymentSignatureValue(seeds: Seeds): fc.Arbitrary<string> {
  const seed = fc.constantFrom(...seeds.x402)
  const encoders = fc.constantFrom(
    (text: string) => Buffer.from(text).toString('base64'),
    (text: string) => Buffer.from(text).toString('base64url'),
    (text: string) => text,
  )
  return fc.oneof(
    headerText,
    fc.tuple(fc.jsonValue({ maxDepth: 3 }), encoders).map(([v, encode]) => encode(JSON.stringify(v) ?? 'null')),
    fc
      .tuple(
        seed.chain((p) => mutated(p)),
        encoders,
      )
      .map(([p, encode]) => encode(JSON.stringify(p) ?? 'null')),
    seed.chain((p) => mutated(p.payload).map((payload) => Buffer.from(JSON.stringify({ ...p, payload })).toString('base64'))),
  )
}

const acceptPaymentValue = fc.oneof(
  headerText,
  fc
    .array(
      fc.tuple(
        fc.constantFrom('evm', 'stripe', '*', 'tempo', 'EVM', ''),
        fc.constantFrom('charge', '*', 'session', ''),
        fc.option(fc.oneof(fc.double({ min: -1, max: 2, noNaN: true }).map(String), fc.string({ maxLength: 5 }))),
      ),
      { maxLength: 5 },
    )
    .map((entries) => entries.map(([m, i, q]) => `${m}/${i}${q === null ? '' : `;q=${q}`}`).join(', ')),
)

describe('fuzzing the payment headers of a running server', () => {
  let stack: Stack
  const seeds: Seeds = { mpp: [], x402: [] }

  before(async () => {
    stack = await startStack()
    for (const [i, target] of targets.entries()) {
      const init = { method: target.method, ...(target.body ? { body: target.body, headers: { 'content-type': 'application/json' } } : {}) }
      seeds.mpp.push(Credential.deserialize(await mppCredentialFor(anvilAccount(1 + i), await fetch(`${stack.url}${target.path}`, init))))
      seeds.x402.push(
        PaymentSignature.decode(await x402SignatureFor(anvilAccount(4 + i), stack.chain, await fetch(`${stack.url}${target.path}`, init))),
      )
    }
  })
  after(async () => {
    await stack?.stop()
  })

  test(`${numRuns} requests with arbitrary payment headers: never a 5xx`, async () => {
    // Mostly one credential header at a time (so each reaches its own checks), sometimes all at once.
    const headerSets = fc.oneof(
      fc.record({ authorization: authorizationValue(seeds), acceptPayment: fc.option(acceptPaymentValue, { nil: undefined }) }),
      fc.record({ paymentAuthorization: authorizationValue(seeds) }),
      fc.record({ paymentSignature: paymentSignatureValue(seeds), acceptPayment: fc.option(acceptPaymentValue, { nil: undefined }) }),
      fc.record({ acceptPayment: acceptPaymentValue }),
      fc.record(
        {
          authorization: authorizationValue(seeds),
          paymentAuthorization: authorizationValue(seeds),
          paymentSignature: paymentSignatureValue(seeds),
          acceptPayment: acceptPaymentValue,
        },
        { requiredKeys: [] },
      ),
    )
    const request = fc.record({
      target: fc.constantFrom(...targets),
      body: fc.option(fc.oneof(fc.constant(summarizeBody), fc.string({ maxLength: 50 })), { nil: undefined, freq: 3 }),
      headers: headerSets,
    })
    const problems = new Map<string, number>()
    const statuses = new Map<number, number>()
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const given: { authorization?: string; paymentAuthorization?: string; paymentSignature?: string; acceptPayment?: string } =
          r.headers
        const headers = new Headers()
        if (given.authorization !== undefined) headers.set('authorization', given.authorization)
        if (given.paymentAuthorization !== undefined) headers.set('payment-authorization', given.paymentAuthorization)
        if (given.paymentSignature !== undefined) headers.set('payment-signature', given.paymentSignature)
        if (given.acceptPayment !== undefined) headers.set('accept-payment', given.acceptPayment)
        const body = r.target.method === 'POST' ? (r.body ?? r.target.body) : undefined
        const response = await fetch(`${stack.url}${r.target.path}`, { method: r.target.method, headers, body })
        const text = await response.text()
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
        assert.ok(response.status < 500, `${r.target.method} ${r.target.path} answered ${response.status}: ${text.slice(0, 300)}`)
        if (response.status === 402) {
          assert.equal(response.headers.get('cache-control'), 'no-store')
          assert.ok(Challenge.deserializeList(response.headers.get('www-authenticate') ?? '').length >= 1, 'a 402 carries a challenge')
        }
        // A paid request (it carries a receipt) answers with the route's own response, whatever that is.
        const paid = response.headers.has('payment-receipt') || response.headers.has('payment-response')
        if (response.status >= 400 && !paid) {
          assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/)
          const type = String((JSON.parse(text) as { type?: unknown }).type).replace('https://paymentauth.org/problems/', '')
          problems.set(type, (problems.get(type) ?? 0) + 1)
        }
      }),
      { numRuns, endOnFailure: true, includeErrorInReport: true },
    )
    console.log(`fuzz statuses: ${JSON.stringify(Object.fromEntries(statuses))}; problems: ${JSON.stringify(Object.fromEntries(problems))}`)
    assert.ok([...statuses.values()].reduce((a, b) => a + b, 0) >= numRuns)
  })
})
