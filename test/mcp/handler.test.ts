// lib/mcp's handler over real HTTP: the official SDK client (Client + StreamableHTTPClientTransport) lists and calls
// free and paid tools, resources and prompts; raw POSTs check every error envelope. Payment is the fake gate's.
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { LATEST_PROTOCOL_VERSION, McpError } from '@modelcontextprotocol/sdk/types.js'
import { privateKeyToAccount } from 'viem/accounts'
import { createMcpHandler } from '@/lib/mcp/handler'
import { paymentInfoMetaKey } from '@/lib/mcp/registry'
import * as Binding from '@/lib/protocol/Binding'
import * as Mcp from '@/lib/protocol/Mcp'
import { authorizationCredential, fakeGate, type FakeGate } from './internal/fake-pay'
import { price, testOffer, type Deliveries } from './internal/offer'
import { serve, type Served } from './internal/serve'

// anvil's public test account #2: a key every developer has; nothing moves here anyway.
const payer = privateKeyToAccount('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a')

let gate: FakeGate
let deliveries: Deliveries
let errors: unknown[]
let served: Served
let client: Client

before(async () => {
  deliveries = []
  errors = []
  gate = fakeGate()
  const handler = createMcpHandler({
    info: { name: 'tollgate-test', version: '0.0.1', instructions: 'Paid tools for tests.' },
    payment: [{ method: 'evm', intent: 'charge' }],
    offer: testOffer(deliveries),
    pay: (input) => gate.pay(input),
    maxBodyBytes: 64 * 1024,
    onError: (error) => errors.push(error),
  })
  served = await serve(handler)
  client = new Client({ name: 'handler-test', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(served.url)))
})

after(async () => {
  await client?.close()
  await served?.close()
})

beforeEach(() => {
  deliveries.length = 0
  errors.length = 0
  gate.calls.length = 0
})

/** What the SDK client throws for a JSON-RPC error response. */
async function rejection(promise: Promise<unknown>): Promise<McpError> {
  try {
    await promise
  } catch (error) {
    assert.ok(error instanceof McpError, `expected an McpError, got ${String(error)}`)
    return error
  }
  assert.fail('expected a JSON-RPC error')
}

/** A raw JSON-RPC POST the way the SDK client sends one after initialize. */
async function post(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown; headers: Headers }> {
  const response = await fetch(served.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, json: text === '' ? null : (JSON.parse(text) as unknown), headers: response.headers }
}

type ErrorBody = { jsonrpc: '2.0'; id: string | number | null; error: { code: number; message: string; data?: Record<string, unknown> } }
type ResultBody = { jsonrpc: '2.0'; id: string | number; result: Record<string, unknown> & { _meta?: Record<string, unknown> } }

describe('MCP over Streamable HTTP with the SDK client', () => {
  test('initialize advertises capabilities.experimental.payment (and tools, resources, prompts)', () => {
    const capabilities = client.getServerCapabilities()
    assert.deepEqual(capabilities?.experimental?.payment, { methods: { evm: { intents: ['charge'] } } })
    assert.ok(capabilities?.tools && capabilities.resources && capabilities.prompts)
    assert.equal(client.getServerVersion()?.name, 'tollgate-test')
    assert.equal(client.getInstructions(), 'Paid tools for tests.')
  })

  test('tools/list is free and shows each price in _meta["x-payment-info"]', async () => {
    const { tools } = await client.listTools()
    assert.deepEqual(
      tools.map((tool) => [tool.name, tool._meta?.[paymentInfoMetaKey] ?? null]),
      [
        ['echo', null],
        ['search', price],
        ['explode', price],
      ],
    )
    assert.equal(tools[1]!.title, 'Search')
    assert.deepEqual(tools[1]!.inputSchema.required, ['q'])
    const { resources } = await client.listResources()
    assert.deepEqual(resources[0]!._meta?.[paymentInfoMetaKey], price)
    const { prompts } = await client.listPrompts()
    assert.deepEqual(prompts[0]!._meta?.[paymentInfoMetaKey], price)
    assert.equal(gate.calls.length, 0)
  })

  test('a free tool runs without the pay hook, ignoring any credential sent with it', async () => {
    const result = await client.callTool({
      name: 'echo',
      arguments: { text: 'hi' },
      _meta: { [Mcp.credentialMetaKey]: 'not a credential' },
    })
    assert.deepEqual(result.content, [{ type: 'text', text: 'hi' }])
    assert.equal(result._meta?.[Mcp.receiptMetaKey], undefined)
    assert.deepEqual(deliveries, ['echo'])
    assert.equal(gate.calls.length, 0)
  })

  test('a paid tool without a credential: -32042 with a bound challenge whose request is a JSON object; nothing runs', async () => {
    const error = await rejection(client.callTool({ name: 'search', arguments: { q: 'mcp' } }))
    assert.equal(error.code, -32042)
    const data = error.data as Mcp.PaymentErrorData
    assert.equal(data.httpStatus, 402)
    assert.equal(data.problem.type, 'https://paymentauth.org/problems/payment-required')
    const [challenge] = data.challenges.map((json) => Mcp.challengeFromJson(json))
    assert.equal(typeof data.challenges[0]!.request, 'object')
    assert.ok(Binding.verify(challenge!, [gate.secret]))
    assert.equal(gate.calls[0]!.credential, null)
    assert.deepEqual(gate.calls[0]!.arguments, { q: 'mcp' })
    assert.deepEqual(deliveries, [])
  })

  test('paying: the credential in params._meta is verified, the tool runs once, the receipt is in result._meta', async () => {
    const challenge = await gate.challengeFor({ method: 'tools/call', name: 'search', arguments: { q: 'mcp' } })
    const credential = await authorizationCredential(challenge, payer)
    const result = await client.callTool({
      name: 'search',
      arguments: { q: 'mcp' },
      _meta: { [Mcp.credentialMetaKey]: Mcp.credentialToJson(credential) },
    })
    assert.deepEqual(result.content, [{ type: 'text', text: 'results for mcp' }])
    const receipt = Mcp.receiptFromResult(result)
    assert.ok(receipt)
    assert.equal(receipt.challengeId, challenge.id)
    assert.match(receipt.reference ?? '', /^0x[0-9a-f]{64}$/)
    assert.equal(result._meta?.['test/tool-meta'], 1, "the tool's own _meta is kept beside the receipt")
    assert.deepEqual(gate.calls[0]!.credential, credential)
    assert.deepEqual(deliveries, ['search:mcp'])

    // The same credential again: -32043 with a fresh challenge, the spec's failure and the problem; no second delivery.
    const replay = await rejection(
      client.callTool({ name: 'search', arguments: { q: 'mcp' }, _meta: { [Mcp.credentialMetaKey]: Mcp.credentialToJson(credential) } }),
    )
    assert.equal(replay.code, -32043)
    const data = replay.data as Mcp.PaymentErrorData
    assert.equal(data.failure?.reason, 'invalid-challenge')
    assert.equal(data.problem.type, 'https://paymentauth.org/problems/invalid-challenge')
    assert.equal(data.problem.challengeId, challenge.id)
    assert.notEqual(data.challenges[0]!.id, challenge.id)
    assert.deepEqual(deliveries, ['search:mcp'])
  })

  test('a credential for other arguments is refused with -32043 (the challenge binds the operation)', async () => {
    const challenge = await gate.challengeFor({ method: 'tools/call', name: 'search', arguments: { q: 'cheap' } })
    const credential = Mcp.credentialToJson(await authorizationCredential(challenge, payer))
    const error = await rejection(
      client.callTool({ name: 'search', arguments: { q: 'expensive' }, _meta: { [Mcp.credentialMetaKey]: credential } }),
    )
    assert.equal(error.code, -32043)
    assert.deepEqual(deliveries, [])
  })

  test('a malformed credential: -32602 with the detail and the problem, which the pay hook is told of', async () => {
    const challenge = await gate.challengeFor({ method: 'tools/call', name: 'search', arguments: { q: 'mcp' } })
    const json = Mcp.credentialToJson(await authorizationCredential(challenge, payer))
    const withoutId = Object.fromEntries(Object.entries(json.challenge).filter(([name]) => name !== 'id'))
    const error = await rejection(
      client.callTool({ name: 'search', arguments: { q: 'mcp' }, _meta: { [Mcp.credentialMetaKey]: { ...json, challenge: withoutId } } }),
    )
    assert.equal(error.code, -32602)
    const data = error.data as Mcp.MalformedCredentialData
    assert.equal(data.detail, 'Missing required field: challenge.id')
    assert.equal(data.problem.type, 'https://paymentauth.org/problems/malformed-credential')
    assert.equal(gate.calls.length, 1)
    assert.equal(gate.calls[0]!.credential, null)
    assert.equal(gate.calls[0]!.malformed?.detail, 'Missing required field: challenge.id')
    assert.deepEqual(deliveries, [])
  })

  test("a payload the method cannot read: the hook's -32602 keeps its data and fresh challenges", async () => {
    const challenge = await gate.challengeFor({ method: 'tools/call', name: 'search', arguments: { q: 'mcp' } })
    const json = { ...Mcp.credentialToJson(await authorizationCredential(challenge, payer)), payload: { type: 'authorization' } }
    const error = await rejection(client.callTool({ name: 'search', arguments: { q: 'mcp' }, _meta: { [Mcp.credentialMetaKey]: json } }))
    assert.equal(error.code, -32602)
    const data = error.data as Mcp.MalformedCredentialData
    assert.match(data.detail, /evm charge payload is malformed/)
    assert.equal(data.challenges?.length, 1)
    assert.deepEqual(deliveries, [])
  })

  test('arguments that do not match the input schema: an isError result, no challenge, nothing charged', async () => {
    const result = await client.callTool({ name: 'search', arguments: { q: '', extra: true } })
    assert.equal(result.isError, true)
    assert.match(JSON.stringify(result.content), /Invalid arguments for tool search/)
    assert.equal(gate.calls.length, 0)
  })

  test('an unknown tool is -32602', async () => {
    const error = await rejection(client.callTool({ name: 'nope' }))
    assert.equal(error.code, -32602)
    assert.deepEqual(error.data, { detail: 'Unknown tool: nope' })
  })

  test('a paid tool that throws after payment: an isError result with a generic text; the error goes to onError', async () => {
    const challenge = await gate.challengeFor({ method: 'tools/call', name: 'explode', arguments: {} })
    const credential = Mcp.credentialToJson(await authorizationCredential(challenge, payer))
    const result = await client.callTool({ name: 'explode', arguments: {}, _meta: { [Mcp.credentialMetaKey]: credential } })
    assert.equal(result.isError, true)
    assert.doesNotMatch(JSON.stringify(result), /hunter2/)
    assert.ok(Mcp.receiptFromResult(result), 'the payment went through, so the receipt says so')
    assert.match(String(errors[0]), /hunter2/)
  })

  test('a pay hook that throws: -32603 with a generic detail (a server failure), the cause to onError only', async () => {
    gate.failNext()
    const error = await rejection(client.callTool({ name: 'search', arguments: { q: 'mcp' } }))
    assert.equal(error.code, -32603)
    assert.doesNotMatch(JSON.stringify(error), /secret-looking/)
    assert.match(String(errors[0]), /secret-looking/)
  })

  test('resources/read and prompts/get are paid the same way; a free resource is read for nothing', async () => {
    const unpaid = await rejection(client.readResource({ uri: 'data://premium/market' }))
    assert.equal(unpaid.code, -32042)
    const challenge = Mcp.challengeFromJson((unpaid.data as Mcp.PaymentErrorData).challenges[0])
    const credential = Mcp.credentialToJson(await authorizationCredential(challenge, payer))
    const read = await client.readResource({ uri: 'data://premium/market', _meta: { [Mcp.credentialMetaKey]: credential } })
    assert.deepEqual(read.contents[0], { uri: 'data://premium/market', mimeType: 'application/json', text: '{"btc":1}' })
    assert.equal(Mcp.receiptFromResult(read)?.challengeId, challenge.id)

    const unpaidPrompt = await rejection(client.getPrompt({ name: 'haiku', arguments: { topic: 'tolls' } }))
    assert.equal(unpaidPrompt.code, -32042)
    const promptChallenge = Mcp.challengeFromJson((unpaidPrompt.data as Mcp.PaymentErrorData).challenges[0])
    const promptCredential = Mcp.credentialToJson(await authorizationCredential(promptChallenge, payer))
    const prompt = await client.getPrompt({
      name: 'haiku',
      arguments: { topic: 'tolls' },
      _meta: { [Mcp.credentialMetaKey]: promptCredential },
    })
    assert.match(JSON.stringify(prompt.messages), /haiku about tolls/)
    assert.ok(Mcp.receiptFromResult(prompt))

    const free = await client.readResource({ uri: 'data://free/readme' })
    assert.deepEqual(free.contents[0], { uri: 'data://free/readme', text: 'hello' })
    assert.deepEqual(deliveries, ['market', 'haiku:tolls', 'readme'])
  })

  test('an unknown resource is -32002; a prompt without its required argument is -32602', async () => {
    assert.equal((await rejection(client.readResource({ uri: 'data://nope' }))).code, -32002)
    const error = await rejection(client.getPrompt({ name: 'haiku' }))
    assert.equal(error.code, -32602)
    assert.deepEqual(error.data, { detail: 'Missing prompt arguments: topic' })
  })
})

describe('MCP raw JSON-RPC envelopes', () => {
  test('the credential in the root _meta (generic JSON-RPC placement) pays too', async () => {
    const challenge = await gate.challengeFor({ method: 'tools/call', name: 'search', arguments: { q: 'root' } })
    const credential = Mcp.credentialToJson(await authorizationCredential(challenge, payer))
    const { status, json } = await post({
      jsonrpc: '2.0',
      id: 'r1',
      method: 'tools/call',
      params: { name: 'search', arguments: { q: 'root' } },
      _meta: { [Mcp.credentialMetaKey]: credential },
    })
    assert.equal(status, 200)
    const body = json as ResultBody
    assert.equal(body.id, 'r1')
    assert.equal(Mcp.receiptFromResult(body.result)?.challengeId, challenge.id)
    assert.deepEqual(deliveries, ['search:root'])
  })

  test('on the wire, -32042, -32043 and -32602 have the spec messages and their data intact', async () => {
    const call = (meta?: unknown) =>
      post({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'search', arguments: { q: 'wire' }, ...(meta ? { _meta: meta } : {}) },
      })
    const required = await call()
    assert.equal(required.status, 200)
    const requiredError = (required.json as ErrorBody).error
    assert.equal(requiredError.code, -32042)
    assert.equal(requiredError.message, 'Payment Required')
    assert.deepEqual(Object.keys(requiredError.data ?? {}).sort(), ['challenges', 'httpStatus', 'problem'])

    const challenge = Mcp.challengeFromJson((requiredError.data as Mcp.PaymentErrorData).challenges[0])
    const underpaid = Mcp.credentialToJson(await authorizationCredential(challenge, payer, { value: '1' }))
    const failedError = ((await call({ [Mcp.credentialMetaKey]: underpaid })).json as ErrorBody).error
    assert.equal(failedError.code, -32043)
    assert.equal(failedError.message, 'Payment Verification Failed')
    const failed = failedError.data as Mcp.PaymentErrorData
    assert.deepEqual(failed.failure, { reason: 'verification-failed', detail: 'Signature verification failed.' })
    assert.equal(failed.httpStatus, 402)
    assert.equal(failed.challenges.length, 1)
    assert.equal(failed.problem.challengeId, challenge.id)

    const malformedError = ((await call({ [Mcp.credentialMetaKey]: { payload: {} } })).json as ErrorBody).error
    assert.deepEqual(malformedError, {
      code: -32602,
      message: 'Invalid params',
      data: {
        detail: 'Missing required field: challenge',
        problem: {
          type: 'https://paymentauth.org/problems/malformed-credential',
          title: 'Malformed Credential',
          status: 402,
          detail: 'Missing required field: challenge',
        },
      },
    })
    assert.deepEqual(deliveries, [])
  })

  test('the same credential in both places is one payment; two different ones are -32602', async () => {
    const challenge = await gate.challengeFor({ method: 'tools/call', name: 'search', arguments: { q: 'both' } })
    const credential = Mcp.credentialToJson(await authorizationCredential(challenge, payer))
    const call = (rootCredential: unknown) =>
      post({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'search', arguments: { q: 'both' }, _meta: { [Mcp.credentialMetaKey]: credential } },
        _meta: { [Mcp.credentialMetaKey]: rootCredential },
      })
    const different = (await call({ ...credential, source: 'someone else' })).json as ErrorBody
    assert.equal(different.error.code, -32602)
    assert.match(String(different.error.data?.detail), /send one credential/)
    const same = (await call(JSON.parse(JSON.stringify(credential)))).json as ResultBody
    assert.ok(Mcp.receiptFromResult(same.result))
    assert.deepEqual(deliveries, ['search:both'])
  })

  test('a paid tools/call sent as a notification is dropped: 202, no hook, no delivery', async () => {
    const challenge = await gate.challengeFor({ method: 'tools/call', name: 'search', arguments: { q: 'n' } })
    const credential = Mcp.credentialToJson(await authorizationCredential(challenge, payer))
    const { status, json } = await post({
      jsonrpc: '2.0',
      method: 'tools/call',
      params: { name: 'search', arguments: { q: 'n' }, _meta: { [Mcp.credentialMetaKey]: credential } },
    })
    assert.equal(status, 202)
    assert.equal(json, null)
    assert.equal(gate.calls.length, 0)
    assert.deepEqual(deliveries, [])
  })

  const envelopes: Array<[string, unknown, number, number]> = [
    ['not JSON', '{"jsonrpc":', 400, -32700],
    ['a JSON string', '"tools/call"', 400, -32600],
    ['wrong jsonrpc', { jsonrpc: '1.0', id: 1, method: 'tools/list' }, 400, -32600],
    ['no method, no result', { jsonrpc: '2.0', id: 1 }, 400, -32600],
    ['a numeric method', { jsonrpc: '2.0', id: 1, method: 7 }, 400, -32600],
    ['a fractional id', { jsonrpc: '2.0', id: 1.5, method: 'tools/list' }, 400, -32600],
    ['a null id', { jsonrpc: '2.0', id: null, method: 'tools/list' }, 400, -32600],
    ['an unknown member', { jsonrpc: '2.0', id: 1, method: 'tools/list', parms: {} }, 400, -32600],
    ['scalar params', { jsonrpc: '2.0', id: 1, method: 'tools/list', params: 5 }, 400, -32600],
    ['an empty batch', [], 400, -32600],
    [
      'nesting past the limit',
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'echo', arguments: { a: JSON.parse('['.repeat(100) + ']'.repeat(100)) } },
      },
      400,
      -32600,
    ],
    ['an unknown method', { jsonrpc: '2.0', id: 1, method: 'tools/destroy' }, 200, -32601],
    ['a tool name that is a number', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 5 } }, 200, -32602],
    ['initialize without its fields', { jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }, 200, -32602],
    ['params._meta a string', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'search', _meta: 'x' } }, 200, -32602],
    ['a progressToken object', { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: { progressToken: {} } } }, 200, -32602],
    ['a root _meta array', { jsonrpc: '2.0', id: 1, method: 'tools/list', _meta: [] }, 200, -32602],
    ['array params on an MCP method', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: ['search'] }, 200, -32602],
    [
      'a task-augmented call',
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'search', arguments: { q: 'x' }, task: { ttl: 1 } } },
      200,
      -32602,
    ],
  ]
  for (const [name, body, status, code] of envelopes)
    test(`${name}: HTTP ${status}, JSON-RPC ${code}`, async () => {
      const response = await post(body)
      assert.equal(response.status, status)
      const error = (response.json as ErrorBody).error
      assert.equal(error.code, code)
      assert.equal(typeof error.message, 'string')
      assert.equal(response.headers.get('cache-control'), 'no-store')
      assert.equal(gate.calls.length, 0)
    })

  test('a batch is answered element by element, in order; paid elements each pay', async () => {
    const challenge = await gate.challengeFor({ method: 'tools/call', name: 'search', arguments: { q: 'batch' } })
    const credential = Mcp.credentialToJson(await authorizationCredential(challenge, payer))
    const { status, json } = await post([
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'a' } } },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'search', arguments: { q: 'unpaid' } } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      'garbage',
      {
        jsonrpc: '2.0',
        id: 3,
        method: 'tools/call',
        params: { name: 'search', arguments: { q: 'batch' }, _meta: { [Mcp.credentialMetaKey]: credential } },
      },
      { jsonrpc: '2.0', id: 3, method: 'ping' },
      { jsonrpc: '2.0', id: 4, method: 'ping' },
    ])
    assert.equal(status, 200)
    const answers = json as Array<ErrorBody & ResultBody>
    assert.deepEqual(
      answers.map((answer) => [answer.id, answer.error?.code ?? 'result']),
      [
        [1, 'result'],
        [2, -32042],
        [null, -32600],
        [3, 'result'],
        [3, -32600],
        [4, 'result'],
      ],
    )
    assert.ok(Mcp.receiptFromResult(answers[3]!.result))
    assert.deepEqual(deliveries, ['echo', 'search:batch'])
  })

  test('only notifications: 202 with no body', async () => {
    const { status, json } = await post([
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } },
    ])
    assert.equal(status, 202)
    assert.equal(json, null)
  })

  test('HTTP-level refusals: GET 405, a body over the limit 413, a wrong Accept 406, an unknown protocol version 400', async () => {
    const get = await fetch(served.url, { headers: { accept: 'text/event-stream' } })
    assert.equal(get.status, 405)
    assert.equal(get.headers.get('allow'), 'POST')
    const big = await post({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'x'.repeat(70 * 1024) } },
    })
    assert.equal(big.status, 413)
    assert.equal((big.json as ErrorBody).error.code, -32600)
    assert.equal((await post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { accept: 'application/json' })).status, 406)
    assert.equal((await post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-protocol-version': '1999-01-01' })).status, 400)
    assert.equal(gate.calls.length, 0)
  })
})
