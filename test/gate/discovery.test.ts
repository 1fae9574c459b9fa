// Issue 4 acceptance: GET /openapi.json per the MPP discovery draft, served by the running app.
// Every paid operation is listed with offers, and each offer is exactly what its live 402 asks.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import * as Challenge from '@/lib/protocol/Challenge'
import { type Stack, startStack } from '@/test/support/stack'
import { assertDiscoveryDocument } from './internal/discovery-spec'

describe('discovery: /openapi.json', () => {
  let stack: Stack
  before(async () => {
    stack = await startStack()
  })
  after(async () => {
    await stack?.stop()
  })

  test('is an OpenAPI document with x-service-info and x-payment-info offers for each paid operation', async () => {
    const response = await fetch(`${stack.url}/openapi.json`)
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/)
    assert.match(response.headers.get('cache-control') ?? '', /max-age=300/)
    assert.equal(response.headers.get('access-control-allow-origin'), '*')
    const doc = (await response.json()) as { 'x-service-info': unknown; servers: Array<{ url: string }> }
    const operations = assertDiscoveryDocument(doc)
    assert.ok(doc['x-service-info'], 'x-service-info is published')
    assert.equal(doc.servers[0]!.url, stack.url)
    const expected = [
      'GET /api/examples/joke',
      'POST /api/examples/summarize',
      'GET /api/examples/stream',
      ...stack.links.map((l) => `GET /l/${l.slug}`),
    ]
    assert.deepEqual([...operations.keys()].sort(), expected.sort())
  })

  test("each offer is what the operation's 402 challenge asks: method, intent, amount and currency (and a session's unit)", async () => {
    const operations = assertDiscoveryDocument(await (await fetch(`${stack.url}/openapi.json`)).json())
    for (const [operation, offers] of operations) {
      const [method, path] = operation.split(' ') as [string, string]
      const init: RequestInit =
        method === 'POST'
          ? { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Discovery agrees.' }) }
          : { method }
      const response = await fetch(`${stack.url}${path}`, init)
      assert.equal(response.status, 402, `${operation} answers 402`)
      const challenges = Challenge.deserializeList(response.headers.get('www-authenticate') ?? '')
      const asked = challenges.map((c) => ({
        intent: c.intent,
        method: c.method,
        amount: String(c.request.amount),
        currency: String(c.request.currency),
        // A session offer's amount is one unit's price; its description names the unit (the offer schema has no field for it).
        ...(c.intent === 'session'
          ? { description: `per unitType=${String(c.request.unitType)}, paid by vouchers on a payment channel` }
          : {}),
      }))
      assert.deepEqual(offers, asked, `${operation}: discovery offers equal the 402 challenges`)
    }
  })
})
