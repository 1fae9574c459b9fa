import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { CallToolRequestSchema, InitializeRequestSchema, PingRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { maxBatchSize, nestedDeeperThan, parseBody, parseMessage, type Entry, type RequestSchema } from './json-rpc'

const methods = new Map<string, RequestSchema>([
  ['initialize', InitializeRequestSchema],
  ['ping', PingRequestSchema],
  ['tools/call', CallToolRequestSchema],
])

const codeOf = (entry: Entry) => (entry.kind === 'error' ? entry.response.error.code : entry.kind)

describe('parseMessage', () => {
  test('a valid request keeps its id and method; the root _meta is moved out of what the SDK gets', () => {
    const original = { jsonrpc: '2.0', id: 'a', method: 'tools/call', params: { name: 't', _meta: { k: 1 } }, _meta: { credential: 1 } }
    const entry = parseMessage(original, methods)
    assert.equal(entry.kind, 'request')
    assert.ok(entry.kind === 'request')
    assert.equal(entry.id, 'a')
    assert.deepEqual(entry.message, { jsonrpc: '2.0', id: 'a', method: 'tools/call', params: { name: 't', _meta: { k: 1 } } })
    assert.equal(entry.original, original)
  })

  test('notifications and client responses are ignored, even malformed-looking payable ones', () => {
    assert.deepEqual(parseMessage({ jsonrpc: '2.0', method: 'tools/call', params: { name: 5 } }, methods), {
      kind: 'ignored',
      reason: 'notification',
    })
    assert.deepEqual(parseMessage({ jsonrpc: '2.0', id: 1, result: {} }, methods), { kind: 'ignored', reason: 'response' })
    assert.deepEqual(parseMessage({ jsonrpc: '2.0', id: 1, error: { code: 1, message: 'x' } }, methods), {
      kind: 'ignored',
      reason: 'response',
    })
  })

  test('envelope mistakes are -32600 with the id when it is readable', () => {
    const cases: Array<[unknown, number | string, string | number | null]> = [
      [null, -32600, null],
      [[], -32600, null],
      [{ jsonrpc: '2.0', id: 1, result: {}, error: {} }, -32600, 1],
      [{ jsonrpc: 2, id: 1, method: 'ping' }, -32600, 1],
      [{ jsonrpc: '2.0', id: 1, method: '' }, -32600, 1],
      [{ jsonrpc: '2.0', id: true, method: 'ping' }, -32600, null],
      [{ jsonrpc: '2.0', id: 2 ** 60, method: 'ping' }, -32600, null],
      [{ jsonrpc: '2.0', id: 1, method: 'ping', extra: 1 }, -32600, 1],
      [{ jsonrpc: '2.0', id: 1, method: 'ping', params: 'x' }, -32600, 1],
    ]
    for (const [message, code, id] of cases) {
      const entry = parseMessage(message, methods)
      assert.equal(codeOf(entry), code, JSON.stringify(message))
      assert.ok(entry.kind === 'error')
      assert.equal(entry.response.id, id)
    }
  })

  test('unknown methods are -32601; params the SDK schema rejects are -32602 naming the path', () => {
    assert.equal(codeOf(parseMessage({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'x' } }, methods)), -32601)
    const entry = parseMessage({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 5 } }, methods)
    assert.ok(entry.kind === 'error')
    assert.equal(entry.response.error.code, -32602)
    assert.deepEqual(entry.response.error.data, { detail: 'params.name: Invalid input: expected string, received number' })
    assert.equal(codeOf(parseMessage({ jsonrpc: '2.0', id: 1, method: 'ping', _meta: 'x' }, methods)), -32602)
    assert.equal(codeOf(parseMessage({ jsonrpc: '2.0', id: 1, method: 'ping', params: { task: {} } }, methods)), -32602)
  })

  test('names quoted back are printable and short', () => {
    const entry = parseMessage({ jsonrpc: '2.0', id: 1, method: `x\u0000${'y'.repeat(200)}` }, methods)
    assert.ok(entry.kind === 'error')
    const detail = String((entry.response.error.data as { detail: string }).detail)
    assert.ok(detail.length < 100)
    assert.doesNotMatch(detail, /\u0000/)
  })
})

describe('parseBody', () => {
  test('parse errors, empty and oversized batches, and deep nesting are whole-body errors', () => {
    assert.equal((parseBody('{', methods) as { error: { error: { code: number } } }).error.error.code, -32700)
    assert.equal((parseBody('[]', methods) as { error: { error: { code: number } } }).error.error.code, -32600)
    const tooMany = JSON.stringify(Array.from({ length: maxBatchSize + 1 }, (_, id) => ({ jsonrpc: '2.0', id, method: 'ping' })))
    assert.equal((parseBody(tooMany, methods) as { error: { error: { code: number } } }).error.error.code, -32600)
    const deep = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'ping',
      params: { _meta: { a: JSON.parse('['.repeat(80) + ']'.repeat(80)) } },
    })
    assert.equal((parseBody(deep, methods) as { error: { error: { code: number } } }).error.error.code, -32600)
  })

  test('a batch keeps its order; a repeated id is an error for the second one', () => {
    const body = parseBody(
      JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'ping' },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', id: 1, method: 'ping' },
        { jsonrpc: '2.0', id: '1', method: 'ping' },
      ]),
      methods,
    )
    assert.ok('entries' in body && body.batch)
    assert.deepEqual(body.entries.map(codeOf), ['request', 'ignored', -32600, 'request'])
  })
})

test('nestedDeeperThan counts object and array levels', () => {
  assert.equal(nestedDeeperThan({ a: [1] }, 2), false)
  assert.equal(nestedDeeperThan({ a: [[1]] }, 2), true)
  assert.equal(nestedDeeperThan('text', 0), false)
  assert.equal(nestedDeeperThan(JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)), 64), true)
})
