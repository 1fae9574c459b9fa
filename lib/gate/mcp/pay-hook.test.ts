// The MCP transport over the core, in process: the pay hook with a real core and store (in-memory PGlite) and the
// fake evm/charge method, driven through every outcome: each must come out as the JSON-RPC answer the MPP JSON-RPC
// transport (draft-payment-transport-mcp-00) asks for. No server, no chain (test/mcp/gate.test.ts has both).
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { markFailed, type OperationResult, type PaidTool, type PayInput, type PayResult } from '@/lib/mcp/registry'
import type * as Challenge from '@/lib/protocol/Challenge'
import * as Mcp from '@/lib/protocol/Mcp'
import * as Problem from '@/lib/protocol/Problem'
import * as Payments from '@/lib/store/payments'
import { decide } from '../core/decide'
import { fakeGate, resourceFor, type FakeGate, type FakePayload } from '../testing/fake-gate'
import type { PricedResource } from '../types'
import { pay, sells, type McpSale } from './pay-hook'

let fake: FakeGate
let runs: string[]
let nextKey = 0

const answer: CallToolResult = { content: [{ type: 'text', text: 'the fortune' }] }

function toolSelling(sale: McpSale, call: () => Promise<CallToolResult> = async () => answer): PaidTool {
  return sells({ name: 'fortune', description: 'A fortune', inputSchema: { type: 'object' }, price: { offers: [] }, call }, sale)
}

type Call = {
  offer?: PaidTool
  name?: string
  arguments?: Record<string, unknown>
  credential?: PayInput['credential']
  malformed?: Problem.MalformedCredentialError
}

function call(sale: McpSale, options: Call = {}): Promise<PayResult> {
  const offer = options.offer ?? toolSelling(sale)
  const input: PayInput = {
    method: 'tools/call',
    name: options.name ?? 'fortune',
    arguments: options.arguments ?? { topic: 'tolls' },
    price: { offers: [] },
    offer,
    credential: options.credential ?? null,
    malformed: options.malformed ?? null,
    requestId: 1,
    request: new Request('http://127.0.0.1/mcp', { method: 'POST', headers: { 'x-forwarded-for': '192.0.2.7' } }),
    deliver: async () => {
      runs.push(options.name ?? 'fortune')
      return (offer as PaidTool).call(options.arguments ?? {}, { requestId: 1, signal: new AbortController().signal })
    },
  }
  return pay(fake.gate, input)
}

function error(result: PayResult): Extract<PayResult, { kind: 'error' }> {
  assert.equal(result.kind, 'error', JSON.stringify(result))
  return result as Extract<PayResult, { kind: 'error' }>
}

function paid(result: PayResult): { result: OperationResult; receipt: Mcp.ReceiptJson } {
  assert.equal(result.kind, 'result', JSON.stringify(result))
  const { result: value, receipt } = result as Extract<PayResult, { kind: 'result' }>
  assert.ok(receipt, 'a paid answer carries the receipt')
  return { result: value, receipt }
}

/** The first challenge of the -32042 a call without credential gets. */
async function challengeFor(sale: McpSale, options: Call = {}): Promise<Challenge.Challenge> {
  const required = error(await call(sale, options))
  assert.equal(required.code, Mcp.paymentRequiredCode)
  return Mcp.challengeFromJson((required.data as Mcp.PaymentErrorData).challenges[0])
}

function credential(challenge: Challenge.Challenge, payload: Partial<FakePayload> = {}) {
  return { challenge, payload: { outcome: 'pay', key: `mcp-${nextKey++}`, ...payload } }
}

describe('the MCP pay hook maps each outcome of the core to its JSON-RPC answer', () => {
  before(async () => {
    fake = await fakeGate()
  })
  after(async () => {
    await fake.handle.close()
  })
  beforeEach(() => {
    runs = []
    fake.clock.at = new Date('2026-12-04T12:00:00Z')
  })

  const sale = (overrides: Partial<PricedResource> = {}): McpSale => ({ resource: resourceFor({ key: 'mcp:tool:fortune', ...overrides }) })

  test('no credential: -32042 with a challenge bound to the resource and to this call (digest of the operation)', async () => {
    const required = error(await call(sale()))
    assert.equal(required.code, -32042)
    assert.equal(required.message, 'Payment Required')
    const data = required.data as Mcp.PaymentErrorData
    assert.equal(data.httpStatus, 402)
    assert.equal(data.problem.type, 'https://paymentauth.org/problems/payment-required')
    assert.equal(data.challenges.length, 1)
    const challenge = Mcp.challengeFromJson(data.challenges[0])
    assert.equal(challenge.opaque?.resource, 'mcp:tool:fortune')
    assert.equal(challenge.digest, await Mcp.operationDigest({ method: 'tools/call', name: 'fortune', arguments: { topic: 'tolls' } }))
    assert.equal(typeof data.challenges[0]!.request, 'object', 'request is a JSON object over JSON-RPC')
    assert.deepEqual(runs, [])
  })

  test('paid: the result with its receipt (challengeId, reference), recorded once with protocol mcp', async () => {
    const s = sale()
    const challenge = await challengeFor(s)
    const { result, receipt } = paid(await call(s, { credential: credential(challenge) }))
    assert.deepEqual(result, answer)
    assert.equal(receipt.status, 'success')
    assert.equal(receipt.challengeId, challenge.id)
    assert.match(receipt.reference ?? '', /^0x[0-9a-f]{64}$/)
    const payment = await Payments.getByReference(fake.gate.db, 'evm', receipt.reference!)
    assert.equal(payment?.protocol, 'mcp')
    assert.equal(payment?.resourceKey, 'mcp:tool:fortune')
    assert.equal(payment?.delivery, 'delivered')
    assert.deepEqual(runs, ['fortune'])
  })

  test('a replayed credential: -32043 with a fresh challenge, never a result, nothing run twice', async () => {
    const s = sale()
    const paying = credential(await challengeFor(s))
    paid(await call(s, { credential: paying }))
    const replay = error(await call(s, { credential: paying }))
    assert.equal(replay.code, -32043)
    const data = replay.data as Mcp.PaymentErrorData
    assert.equal(data.challenges.length, 1)
    assert.notEqual(data.challenges[0]!.id, paying.challenge.id)
    assert.equal(data.problem.challengeId, paying.challenge.id)
    assert.equal(data.failure?.reason, 'invalid-challenge')
    assert.deepEqual(runs, ['fortune'])
  })

  test('a credential bound to other arguments, another tool, another price, or no operation at all: -32043', async () => {
    const s = sale()
    const forTolls = await challengeFor(s)
    const otherArguments = error(await call(s, { arguments: { topic: 'bridges' }, credential: credential(forTolls) }))
    assert.equal(otherArguments.code, -32043)
    assert.match((otherArguments.data as Mcp.PaymentErrorData).failure!.detail, /digest/)

    const otherTool = error(await call(sale({ key: 'mcp:tool:summarize' }), { credential: credential(forTolls) }))
    assert.equal(otherTool.code, -32043)
    assert.match((otherTool.data as Mcp.PaymentErrorData).failure!.detail, /different resource/)

    const otherPrice = error(await call(sale({ priceUsd: '0.02' }), { credential: credential(forTolls) }))
    assert.equal(otherPrice.code, -32043)
    assert.match((otherPrice.data as Mcp.PaymentErrorData).failure!.detail, /price or payment terms changed/)

    // The same resource sold over HTTP issues challenges that bind no operation: not spendable on a tool call.
    const unpaid = { payment: { kind: 'none' as const }, grantToken: null, client: '192.0.2.8', body: null }
    const http = await decide(fake.gate, s.resource, unpaid, async () => ({ value: null }))
    assert.equal(http.kind, 'payment-required')
    const unbound = (http as Extract<typeof http, { kind: 'payment-required' }>).offers.challenges[0]!.challenge
    assert.equal(unbound.digest, undefined)
    const noOperation = error(await call(s, { credential: credential(unbound) }))
    assert.equal(noOperation.code, -32043)
    assert.match((noOperation.data as Mcp.PaymentErrorData).failure!.detail, /not issued for this operation/)
    assert.deepEqual(runs, [])
  })

  test('a malformed credential: -32602 keeping its detail and problem, with fresh challenges', async () => {
    const malformed = new Problem.MalformedCredentialError('Missing required field: challenge.id')
    const refused = error(await call(sale(), { malformed }))
    assert.equal(refused.code, -32602)
    const data = refused.data as Mcp.MalformedCredentialData
    assert.equal(data.detail, 'Missing required field: challenge.id')
    assert.equal(data.problem.type, 'https://paymentauth.org/problems/malformed-credential')
    assert.equal(data.challenges?.length, 1)
  })

  test('declined: -32043; the payment network down: -32603 with httpStatus 503; the settlement quota: -32000 with 429', async () => {
    const s = sale()
    const declined = error(await call(s, { credential: credential(await challengeFor(s), { outcome: 'decline' }) }))
    assert.equal(declined.code, -32043)
    assert.equal((declined.data as Mcp.PaymentErrorData).failure?.reason, 'verification-failed')

    const down = error(await call(s, { credential: credential(await challengeFor(s), { outcome: 'unavailable' }) }))
    assert.equal(down.code, -32603)
    assert.deepEqual(down.data, {
      httpStatus: 503,
      problem: { type: 'about:blank', title: 'Payment network unavailable', status: 503, detail: 'the fake network is down' },
      retryAfterSeconds: 7,
    })

    const quota = error(await call(s, { credential: credential(await challengeFor(s), { outcome: 'quota' }) }))
    assert.equal(quota.code, Mcp.refusedCode)
    assert.equal((quota.data as { httpStatus: number }).httpStatus, 429)
    assert.deepEqual(runs, [])
  })

  test('closed and sold out: -32000 with httpStatus 410 and the reason', async () => {
    const closed = error(await call({ ...sale(), closed: { title: 'Tool unavailable', detail: "This tool's link has expired." } }))
    assert.equal(closed.code, Mcp.refusedCode)
    assert.equal(closed.message, 'Tool unavailable')
    assert.deepEqual(closed.data, {
      httpStatus: 410,
      problem: { type: 'about:blank', title: 'Tool unavailable', status: 410, detail: "This tool's link has expired." },
    })
    const soldOut = sale({ reserveSale: async () => null })
    const refused = error(await call(soldOut, { credential: credential(await challengeFor(soldOut)) }))
    assert.equal(refused.code, Mcp.refusedCode)
    assert.equal((refused.data as { httpStatus: number }).httpStatus, 410)
    assert.deepEqual(runs, [])
  })

  test('paid but the tool failed: an isError result with the receipt (never an error); the same credential then delivers', async () => {
    const s = sale()
    let failing = true
    const offer = toolSelling(s, async () =>
      failing ? markFailed({ content: [{ type: 'text', text: 'Tool fortune failed.' }], isError: true }) : answer,
    )
    const paying = credential(await challengeFor(s, { offer }))
    const first = paid(await call(s, { offer, credential: paying }))
    const result = first.result as CallToolResult
    assert.equal(result.isError, true)
    assert.match(
      JSON.stringify(result.content),
      /Paid, but the operation failed: your payment settled \(receipt https:\/\/pay\.example\.com\/receipts\/pay_/,
    )
    const payment = await Payments.getByReference(fake.gate.db, 'evm', first.receipt.reference!)
    assert.equal(payment?.delivery, 'failed')

    failing = false
    const again = paid(await call(s, { offer, credential: paying }))
    assert.deepEqual(again.result, answer)
    assert.deepEqual(again.receipt, first.receipt, 'the same payment, not a second one')
    assert.equal((await Payments.getById(fake.gate.db, payment!.id))?.delivery, 'delivered')
  })

  test('arguments without a canonical JSON form: -32602, nothing asked of the gate', async () => {
    const refused = error(await call(sale(), { arguments: { n: Number.POSITIVE_INFINITY } }))
    assert.equal(refused.code, -32602)
    assert.match(String((refused.data as { detail: string }).detail), /canonical JSON/)
  })
})
