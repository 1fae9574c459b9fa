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
import { checkAnswer, mcpBodies } from './internal/bodies'
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

const body = mcpBodies({
  tools: ['search', 'search', 'echo', 'explode', 'nope'],
  arguments: fc.constant({ q: 'fuzz' }),
  credentials: () => credentials,
  resources: ['data://premium/market', 'data://free/readme'],
  prompts: ['haiku'],
})

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
      for (const what of checkAnswer(response.status, await response.text(), assert)) count(what)
    }),
    { numRuns },
  )
  console.log(`answers: ${JSON.stringify(Object.fromEntries([...seen].sort()))}`)
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
