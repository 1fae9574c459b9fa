// What lib/mcp assumes about @modelcontextprotocol/sdk 1.32.2, measured on the SDK alone (docs/mcp.md lists why each
// matters). When an upgrade changes one of these, this file says which design decision to revisit.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import { CallToolRequestSchema, ErrorCode, McpError, UrlElicitationRequiredError } from '@modelcontextprotocol/sdk/types.js'

type Connectable = { connect(transport: WebStandardStreamableHTTPServerTransport): Promise<void> }

const call = (name: string, extra: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name, arguments: {} },
  ...extra,
})

async function post(server: Connectable, body: unknown): Promise<{ status: number; json: Record<string, unknown> | null }> {
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true })
  await server.connect(transport)
  const response = await transport.handleRequest(
    new Request('http://127.0.0.1/mcp', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(body),
    }),
  )
  const text = await response.text()
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : null }
}

class CodedError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data: unknown,
  ) {
    super(message)
  }
}

function lowLevelServer(): Server {
  const server = new Server({ name: 't', version: '1' }, { capabilities: { tools: {} } })
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    if (request.params.name === 'coded') throw new CodedError(-32043, 'Payment Verification Failed', { challenges: ['c'] })
    if (request.params.name === 'mcp-error') throw new McpError(-32042, 'Payment Required', { challenges: ['c'] })
    return { content: [] }
  })
  return server
}

function highLevelServer(code: number): McpServer {
  const server = new McpServer({ name: 't', version: '1' })
  server.registerTool('paid', {}, async () => {
    throw new McpError(code, 'payment', { challenges: ['c'] })
  })
  return server
}

describe('@modelcontextprotocol/sdk 1.32.2 behaviours lib/mcp is built around', () => {
  test('McpServer turns -32043 and -32602 thrown by a tool into isError results (their data lost); -32042 survives only as UrlElicitationRequired', async () => {
    for (const code of [-32043, -32602]) {
      const { json } = await post(highLevelServer(code), call('paid'))
      assert.equal((json?.result as { isError?: boolean })?.isError, true, String(code))
      assert.equal(json?.error, undefined)
    }
    assert.equal(ErrorCode.UrlElicitationRequired, -32042)
    const { json } = await post(highLevelServer(-32042), call('paid'))
    assert.equal((json?.error as { code: number }).code, -32042)
  })

  test('the low-level Server answers any thrown code, message and data as they are; McpError prefixes its message', async () => {
    const coded = await post(lowLevelServer(), call('coded'))
    assert.deepEqual(coded.json?.error, { code: -32043, message: 'Payment Verification Failed', data: { challenges: ['c'] } })
    const mcp = await post(lowLevelServer(), call('mcp-error'))
    assert.deepEqual(mcp.json?.error, { code: -32042, message: 'MCP error -32042: Payment Required', data: { challenges: ['c'] } })
  })

  test('the client reads a -32042 without `elicitations` as a plain McpError with its data', () => {
    const error = McpError.fromError(-32042, 'Payment Required', { challenges: ['c'] })
    assert.ok(!(error instanceof UrlElicitationRequiredError))
    assert.deepEqual(error.data, { challenges: ['c'] })
  })

  test('client mistakes the SDK answers badly: malformed params -32603, a root or malformed _meta HTTP 400/-32700, a task -32603', async () => {
    const params = await post(lowLevelServer(), { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 5 } })
    assert.equal((params.json?.error as { code: number }).code, -32603)
    const initialize = await post(lowLevelServer(), { jsonrpc: '2.0', id: 1, method: 'initialize', params: {} })
    assert.equal((initialize.json?.error as { code: number }).code, -32603)
    const rootMeta = await post(lowLevelServer(), call('ok', { _meta: { 'org.paymentauth/credential': {} } }))
    assert.equal(rootMeta.status, 400)
    assert.equal((rootMeta.json?.error as { code: number }).code, -32700)
    const badMeta = await post(lowLevelServer(), { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'ok', _meta: 'x' } })
    assert.equal(badMeta.status, 400)
    const task = await post(lowLevelServer(), { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'ok', task: {} } })
    assert.equal((task.json?.error as { code: number }).code, -32603)
  })

  test('a tools/call notification reaches no handler: 202', async () => {
    const { status, json } = await post(lowLevelServer(), { jsonrpc: '2.0', method: 'tools/call', params: { name: 'coded' } })
    assert.equal(status, 202)
    assert.equal(json, null)
  })

  test('a stateless transport serves one POST only', async () => {
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true })
    await lowLevelServer().connect(transport)
    const request = () =>
      new Request('http://127.0.0.1/mcp', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
      })
    assert.equal((await transport.handleRequest(request())).status, 200)
    await assert.rejects(transport.handleRequest(request()), /cannot be reused/)
  })
})
