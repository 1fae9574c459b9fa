// 10,000 JSON-RPC bodies against the /mcp plumbing (in process, Web Request -> Response): valid and broken
// envelopes, every `_meta` shape and credential mutation, batches, raw text. Never a 5xx, never -32603 (the fake pay
// hook and the test tools never fail on their own, so any -32603 would be a client's mistake answered as ours), and
// every answer is well-formed JSON-RPC for the ids that were asked. MCP_FUZZ_RUNS overrides the count.
import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js'
import fc from 'fast-check'
import { privateKeyToAccount } from 'viem/accounts'
import { createMcpHandler } from '@/lib/mcp/handler'
import * as Mcp from '@/lib/protocol/Mcp'
import { authorizationCredential, fakeGate } from './internal/fake-pay'
import { testOffer } from './internal/offer'

const numRuns = Number(process.env.MCP_FUZZ_RUNS ?? 10_000)
const payer = privateKeyToAccount('0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a')

const errors: unknown[] = []
const gate = fakeGate()
const handler = createMcpHandler({
  info: { name: 'fuzz', version: '0' },
  payment: [{ method: 'evm', intent: 'charge' }],
  offer: testOffer([]),
  pay: (input) => gate.pay(input),
  maxBodyBytes: 32 * 1024,
  onError: (error) => errors.push(error),
})

/** Valid credential objects for `search {q:"fuzz"}` (each pays once; replays are -32043) and their challenges. */
let credentials: Mcp.CredentialJson[] = []
before(async () => {
  credentials = await Promise.all(
    Array.from({ length: 3 }, async () => {
      const challenge = await gate.challengeFor({ method: 'tools/call', name: 'search', arguments: { q: 'fuzz' } })
      return JSON.parse(JSON.stringify(Mcp.credentialToJson(await authorizationCredential(challenge, payer)))) as Mcp.CredentialJson
    }),
  )
})

const json = fc.jsonValue({ maxDepth: 4 })
const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'toString'))

/** A credential shape: valid, or valid with a member (or a member of its challenge) replaced, removed, added. */
const credential = fc.oneof(
  json,
  fc.nat(2).map((i) => credentials[i]!),
  fc
    .tuple(fc.nat(2), fc.constantFrom('challenge', 'payload', 'source', 'extra'), fc.option(json, { nil: undefined }))
    .map(([i, member, value]) => {
      const copy: Record<string, unknown> = { ...credentials[i]! }
      if (value === undefined) delete copy[member]
      else copy[member] = value
      return copy
    }),
  fc
    .tuple(
      fc.nat(2),
      fc.constantFrom('id', 'realm', 'method', 'intent', 'request', 'expires', 'digest', 'opaque', 'description', 'header', 'meta'),
      fc.option(json, { nil: undefined }),
    )
    .map(([i, member, value]) => {
      const challenge: Record<string, unknown> = { ...credentials[i]!.challenge }
      if (value === undefined) delete challenge[member]
      else challenge[member] = value
      return { ...credentials[i]!, challenge }
    }),
)
const meta = fc.oneof(
  { weight: 3, arbitrary: fc.record({ [Mcp.credentialMetaKey]: credential }) },
  { weight: 1, arbitrary: fc.record({ [Mcp.credentialMetaKey]: credential, progressToken: fc.oneof(fc.integer(), fc.string(), json) }) },
  { weight: 1, arbitrary: fc.dictionary(key, json) },
  { weight: 1, arbitrary: json },
)
const withMeta = <T extends Record<string, unknown>>(params: fc.Arbitrary<T>) =>
  fc.tuple(params, fc.option(meta, { nil: undefined })).map(([value, m]) => (m === undefined ? value : { ...value, _meta: m }))
const toolCall = withMeta(
  fc.record({
    name: fc.oneof(fc.constantFrom('search', 'search', 'echo', 'explode', 'nope'), json),
    arguments: fc.oneof(fc.constant({ q: 'fuzz' }), fc.record({ q: fc.string(), text: fc.string() }, { requiredKeys: [] }), json),
  }),
)
/** Requests the server answers, with params that are mostly right. */
const request = fc.oneof(
  { weight: 5, arbitrary: toolCall.map((params) => ({ method: 'tools/call', params })) },
  {
    weight: 1,
    arbitrary: withMeta(
      fc.record({ uri: fc.oneof(fc.constantFrom('data://premium/market', 'data://free/readme', 'data://nope'), json) }),
    ).map((params) => ({ method: 'resources/read', params })),
  },
  {
    weight: 1,
    arbitrary: withMeta(
      fc.record({ name: fc.oneof(fc.constant('haiku'), json), arguments: fc.oneof(fc.record({ topic: fc.string() }), json) }),
    ).map((params) => ({ method: 'prompts/get', params })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        protocolVersion: fc.constantFrom(LATEST_PROTOCOL_VERSION, 'x'),
        capabilities: fc.oneof(fc.constant({}), json),
        clientInfo: fc.oneof(fc.constant({ name: 'f', version: '1' }), json),
      })
      .map((params) => ({ method: 'initialize', params })),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      method: fc.constantFrom('tools/list', 'resources/list', 'prompts/list', 'ping', 'completion/complete', 'tasks/list'),
      params: fc.oneof(fc.constant({}), withMeta(fc.constant({})), json),
    }),
  },
)
const valid = fc
  .tuple(fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), request, fc.option(meta, { nil: undefined }))
  .map(([id, call, rootMeta]) => ({ jsonrpc: '2.0', id, ...call, ...(rootMeta === undefined ? {} : { _meta: rootMeta }) }))
/** A valid message with one root member replaced, removed or added (a notification when `id` goes). */
const mutated = fc
  .tuple(
    valid,
    fc.constantFrom('jsonrpc', 'id', 'method', 'params', '_meta', 'result', 'error', 'extra'),
    fc.option(json, { nil: undefined }),
  )
  .map(([message, member, value]) => {
    const copy: Record<string, unknown> = { ...message }
    if (value === undefined) delete copy[member]
    else copy[member] = value
    return copy
  })
const message = fc.oneof({ weight: 3, arbitrary: valid }, { weight: 3, arbitrary: mutated }, { weight: 1, arbitrary: json })
const body = fc.oneof(
  { weight: 6, arbitrary: message.map((value) => JSON.stringify(value)) },
  { weight: 2, arbitrary: fc.array(message, { maxLength: 6 }).map((value) => JSON.stringify(value)) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      valid.map((value) => JSON.stringify(value).slice(0, -3)),
    ),
  },
)

type Answer = { jsonrpc?: unknown; id?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } }

test(`${numRuns} JSON-RPC bodies: no 5xx, no -32603, well-formed answers`, { timeout: 30 * 60_000 }, async () => {
  const seen = new Map<string, number>()
  const count = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1)
  await fc.assert(
    fc.asyncProperty(body, fc.boolean(), async (text, withVersion) => {
      const response = await handler(
        new Request('http://127.0.0.1/mcp', {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            ...(withVersion ? { 'mcp-protocol-version': LATEST_PROTOCOL_VERSION } : {}),
          },
          body: text,
        }),
      )
      assert.ok(response.status < 500, `HTTP ${response.status}`)
      count(`HTTP ${response.status}`)
      const raw = await response.text()
      if (response.status === 202) return assert.equal(raw, '')
      const answers = [JSON.parse(raw) as Answer | Answer[]].flat()
      for (const answer of answers) {
        assert.equal(answer.jsonrpc, '2.0')
        assert.ok('result' in answer !== 'error' in answer, 'exactly one of result/error')
        if (answer.error) {
          assert.equal(typeof answer.error.message, 'string')
          assert.notEqual(answer.error.code, -32603, raw)
          count(String(answer.error.code))
        } else if (Mcp.receiptFromResult(answer.result)) count('paid')
      }
    }),
    { numRuns },
  )
  // The bodies reach every layer: envelope errors, params errors, the pay hook's answers, and a real payment.
  for (const what of ['HTTP 200', 'HTTP 202', 'HTTP 400', '-32700', '-32600', '-32601', '-32602', '-32042', '-32043'])
    assert.ok((seen.get(what) ?? 0) > 0, `no body produced ${what}: ${JSON.stringify([...seen])}`)
  if (numRuns >= 10_000) assert.ok((seen.get('paid') ?? 0) > 0, `no body paid: ${JSON.stringify([...seen])}`)
  assert.deepEqual(
    errors.filter((error) => !/hunter2/.test(String(error))),
    [],
    'only the exploding test tool may report a server failure',
  )
})
