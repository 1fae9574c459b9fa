// Arbitrary POST bodies for /mcp (fast-check): valid and broken JSON-RPC envelopes, every `_meta` shape and
// credential mutation (placed in params._meta or the root _meta), batches and raw text. Shared by the in-process
// fuzz of the plumbing and the fuzz of a running server.
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js'
import fc from 'fast-check'
import * as Mcp from '@/lib/protocol/Mcp'

export type BodyOptions = {
  /** Tool names to call (known and unknown), and arguments that fit them. */
  tools: readonly string[]
  arguments: fc.Arbitrary<Record<string, unknown>>
  /** Genuine credential objects (read when a body is generated: fill it in `before`). */
  credentials: () => readonly Mcp.CredentialJson[]
  resources?: readonly string[]
  prompts?: readonly string[]
}

export function mcpBodies(options: BodyOptions): fc.Arbitrary<string> {
  const json = fc.jsonValue({ maxDepth: 4 })
  const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'toString'))
  const genuine = fc.nat(99).map((i) => {
    const all = options.credentials()
    return all[i % all.length]!
  })

  /** A credential shape: valid, or valid with a member (or a member of its challenge) replaced, removed, added. */
  const credential = fc.oneof(
    json,
    genuine,
    fc
      .tuple(genuine, fc.constantFrom('challenge', 'payload', 'source', 'extra'), fc.option(json, { nil: undefined }))
      .map(([valid, member, value]) => {
        const copy: Record<string, unknown> = { ...valid }
        if (value === undefined) delete copy[member]
        else copy[member] = value
        return copy
      }),
    fc
      .tuple(
        genuine,
        fc.constantFrom('id', 'realm', 'method', 'intent', 'request', 'expires', 'digest', 'opaque', 'description', 'header', 'meta'),
        fc.option(json, { nil: undefined }),
      )
      .map(([valid, member, value]) => {
        const challenge: Record<string, unknown> = { ...valid.challenge }
        if (value === undefined) delete challenge[member]
        else challenge[member] = value
        return { ...valid, challenge }
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
      name: fc.oneof(fc.constantFrom(...options.tools), json),
      arguments: fc.oneof(options.arguments, fc.record({ q: fc.string(), text: fc.string() }, { requiredKeys: [] }), json),
    }),
  )
  const resources = options.resources ?? []
  const prompts = options.prompts ?? []
  /** Requests the server answers, with params that are mostly right. */
  const request = fc.oneof(
    { weight: 5, arbitrary: toolCall.map((params) => ({ method: 'tools/call', params })) },
    {
      weight: 1,
      arbitrary: withMeta(fc.record({ uri: fc.oneof(fc.constantFrom(...resources, 'data://nope'), json) })).map((params) => ({
        method: 'resources/read',
        params,
      })),
    },
    {
      weight: 1,
      arbitrary: withMeta(
        fc.record({
          name: fc.oneof(fc.constantFrom(...prompts, 'nope'), json),
          arguments: fc.oneof(fc.record({ topic: fc.string() }), json),
        }),
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
  return fc.oneof(
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
}

export type Answer = { jsonrpc?: unknown; id?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown; data?: unknown } }

/**
 * Checks one HTTP answer of /mcp: below 500, empty for 202, else well-formed JSON-RPC with no -32603. Returns what it
 * saw (HTTP status, error codes, "paid") for the caller's tally.
 */
export function checkAnswer(status: number, raw: string, assert: typeof import('node:assert/strict')): string[] {
  const seen = [`HTTP ${status}`]
  assert.ok(status < 500, `HTTP ${status}: ${raw.slice(0, 300)}`)
  if (status === 202) {
    assert.equal(raw, '')
    return seen
  }
  const answers = [JSON.parse(raw) as Answer | Answer[]].flat()
  for (const answer of answers) {
    assert.equal(answer.jsonrpc, '2.0')
    assert.ok('result' in answer !== 'error' in answer, 'exactly one of result/error')
    if (answer.error) {
      assert.equal(typeof answer.error.message, 'string')
      assert.notEqual(answer.error.code, -32603, raw.slice(0, 500))
      seen.push(String(answer.error.code))
    } else if (Mcp.receiptFromResult(answer.result)) seen.push('paid')
  }
  return seen
}
