import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  CallToolRequestSchema,
  GetPromptRequestSchema,
  InitializeRequestSchema,
  JSONRPCMessageSchema,
  PingRequestSchema,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js'
import fc from 'fast-check'
import { parseBody, type RequestSchema } from './json-rpc'

const numRuns = 3000
const methods = new Map<string, RequestSchema>([
  ['initialize', InitializeRequestSchema],
  ['ping', PingRequestSchema],
  ['tools/call', CallToolRequestSchema],
  ['resources/read', ReadResourceRequestSchema],
  ['prompts/get', GetPromptRequestSchema],
])
const clientErrorCodes = new Set([-32700, -32600, -32601, -32602])

/** parseBody never throws; what it hands the SDK is a message the SDK's schemas accept; the rest are client errors. */
function check(text: string): void {
  const body = parseBody(text, methods)
  if ('error' in body) {
    assert.ok(clientErrorCodes.has(body.error.error.code))
    assert.equal(body.error.id, null)
    return
  }
  for (const entry of body.entries) {
    if (entry.kind === 'error') assert.ok(clientErrorCodes.has(entry.response.error.code), String(entry.response.error.code))
    if (entry.kind !== 'request') continue
    assert.ok(JSONRPCMessageSchema.safeParse(entry.message).success, 'the SDK would refuse the whole POST')
    assert.ok(methods.get(entry.method)!.safeParse(entry.message).success, 'the SDK would answer -32603')
  }
}

const json = fc.jsonValue({ maxDepth: 5 })
const meta = fc.oneof(json, fc.dictionary(fc.constantFrom('org.paymentauth/credential', 'progressToken', '__proto__', 'x'), json))
const params = fc.oneof(
  json,
  fc.record(
    { name: fc.oneof(fc.constantFrom('search', 'echo'), json), arguments: json, uri: json, _meta: meta, task: json, cursor: json },
    { requiredKeys: [] },
  ),
)
const message = fc.record(
  {
    jsonrpc: fc.oneof(fc.constant('2.0'), json),
    id: fc.oneof(fc.integer(), fc.string({ maxLength: 6 }), fc.double(), fc.constant(null), json),
    method: fc.oneof(fc.constantFrom('initialize', 'ping', 'tools/call', 'resources/read', 'prompts/get', 'tools/list', 'x'), json),
    params,
    _meta: meta,
    result: json,
    error: json,
    extra: json,
  },
  { requiredKeys: [] },
)

test('parseBody: arbitrary text', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), check), { numRuns })
})

test('parseBody: messages and batches of every shape', () => {
  fc.assert(
    fc.property(fc.oneof(json, message, fc.array(fc.oneof(message, json), { maxLength: 8 })), (value) =>
      check(JSON.stringify(value) ?? 'null'),
    ),
    { numRuns },
  )
})
