// mppx 0.11 pays lib/mcp's server over real HTTP: McpClient.wrap around the official SDK Client (Streamable HTTP)
// lists tools, calls a paid one, gets our -32042, signs an EIP-3009 authorization for our challenge and resends it
// in params._meta; the fake gate verifies it offline (no chain here) and the result comes back with the receipt.
// mppx's fetch client (what the mppx CLI uses) pays the same endpoint with plain JSON-RPC POSTs.
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { LATEST_PROTOCOL_VERSION, McpError } from '@modelcontextprotocol/sdk/types.js'
import { Mppx, evm } from 'mppx/client'
import { McpClient } from 'mppx/mcp/client'
import { privateKeyToAccount } from 'viem/accounts'
import { createMcpHandler } from '@/lib/mcp/handler'
import * as Mcp from '@/lib/protocol/Mcp'
import * as evmCharge from '@/lib/protocol/methods/evm'
import { chainId, fakeGate, type FakeGate } from './internal/fake-pay'
import { testOffer, type Deliveries } from './internal/offer'
import { serve, type Served } from './internal/serve'

// anvil's public test account #3: a key every developer has; nothing moves here anyway.
const payer = privateKeyToAccount('0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6')
const method = () => evm({ account: payer, authorization: { name: 'USD Coin', version: '2' }, maxAmount: '1', decimals: 6 })

let gate: FakeGate
let deliveries: Deliveries
let served: Served

before(async () => {
  deliveries = []
  gate = fakeGate()
  served = await serve(
    createMcpHandler({
      info: { name: 'tollgate-test', version: '0.0.1' },
      payment: [{ method: 'evm', intent: 'charge' }],
      offer: testOffer(deliveries),
      pay: (input) => gate.pay(input),
    }),
  )
})

after(async () => {
  await served?.close()
})

beforeEach(() => {
  deliveries.length = 0
  gate.calls.length = 0
})

async function connectedClient(): Promise<Client> {
  const client = new Client({ name: 'mppx-interop', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(served.url)))
  return client
}

describe('mppx McpClient over the SDK Streamable HTTP client', () => {
  test('lists tools, calls a paid one, pays with an EIP-3009 authorization and gets the result with the receipt', async () => {
    const client = await connectedClient()
    try {
      McpClient.wrap(client, { methods: [method()] })
      const { tools } = await client.listTools()
      assert.ok(tools.some((tool) => tool.name === 'search'))

      const result = (await client.callTool({ name: 'search', arguments: { q: 'tolls' } })) as Awaited<ReturnType<Client['callTool']>> & {
        receipt?: Mcp.ReceiptJson
      }
      assert.deepEqual(result.content, [{ type: 'text', text: 'results for tolls' }])
      assert.deepEqual(deliveries, ['search:tolls'])

      // Two calls reached the hook: the unpaid one (-32042) and the paid retry, whose credential mppx built from our challenge.
      assert.equal(gate.calls.length, 2)
      assert.equal(gate.calls[0]!.credential, null)
      const credential = gate.calls[1]!.credential!
      assert.equal(credential.payload.type, 'authorization')
      assert.equal(credential.source, evmCharge.payerSource(chainId, payer.address))
      assert.equal(credential.payload.nonce, evmCharge.authorizationNonce(credential.challenge.id, credential.challenge.realm))

      // mppx hands the receipt back as `result.receipt`; its reference is the (stand-in) transaction, its challenge ours.
      assert.equal(result.receipt?.challengeId, credential.challenge.id)
      assert.match(result.receipt?.reference ?? '', /^0x[0-9a-f]{64}$/)
      assert.deepEqual(Mcp.receiptFromResult(result), result.receipt)
    } finally {
      await client.close()
    }
  })

  test('a free tool costs nothing; an unknown tool is an error mppx does not try to pay', async () => {
    const client = await connectedClient()
    try {
      McpClient.wrap(client, { methods: [method()] })
      const free = await client.callTool({ name: 'echo', arguments: { text: 'hi' } })
      assert.deepEqual(free.content, [{ type: 'text', text: 'hi' }])
      await assert.rejects(client.callTool({ name: 'nope' }), (error: unknown) => error instanceof McpError && error.code === -32602)
      assert.equal(gate.calls.length, 0)
    } finally {
      await client.close()
    }
  })

  test('a payment the server refuses (-32043) is retried on the fresh challenge, at most three attempts', async () => {
    const client = await connectedClient()
    try {
      // A payer whose authorization names the wrong token domain: every signature fails verification.
      McpClient.wrap(client, {
        methods: [evm({ account: payer, authorization: { name: 'Not USDC', version: '9' }, maxAmount: '1', decimals: 6 })],
      })
      await assert.rejects(
        client.callTool({ name: 'search', arguments: { q: 'x' } }),
        (error: unknown) => error instanceof McpError && error.code === -32043,
      )
      assert.equal(gate.calls.length, 4, 'the unpaid call and three paid attempts')
      const paidWith = gate.calls.slice(1).map((call) => call.credential!.challenge.id)
      assert.equal(new Set(paidWith).size, 3, 'each attempt pays the fresh challenge of the previous -32043')
      assert.deepEqual(deliveries, [])
    } finally {
      await client.close()
    }
  })
})

describe("mppx's fetch client (the CLI's) pays MCP over plain HTTP", () => {
  test('a tools/call POST gets -32042 in a 200 body, is resent with the credential in params._meta, and is answered', async () => {
    const mppx = Mppx.create({ methods: [method()], polyfill: false })
    const response = await mppx.fetch(served.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'search', arguments: { q: 'cli' } } }),
    })
    assert.equal(response.status, 200)
    const body = (await response.json()) as { result: Record<string, unknown> }
    assert.deepEqual(body.result.content, [{ type: 'text', text: 'results for cli' }])
    assert.ok(Mcp.receiptFromResult(body.result))
    assert.deepEqual(deliveries, ['search:cli'])
  })
})
