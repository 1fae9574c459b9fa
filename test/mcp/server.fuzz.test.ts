// 10,000 JSON-RPC bodies against /mcp of a running Tollgate (`next start`, anvil, the seeded demo): valid and broken
// envelopes, every `_meta` shape and credential mutation (genuine EIP-3009 credentials among them, which settle on
// chain once and are replays after), batches, raw text. Never a 5xx, never -32603 (nothing here is the server's
// fault), every answer well-formed JSON-RPC; the app logs no server failure and no credential. MCP_FUZZ_RUNS
// lowers the count.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import fc from 'fast-check'
import type * as Mcp from '@/lib/protocol/Mcp'
import { anvilAccount } from '@/scripts/chain/deploy'
import { type Stack, startStack } from '@/test/support/stack'
import { checkAnswer, mcpBodies } from './internal/bodies'
import { authorization, challengeFor, rpcHeaders } from './internal/remote'

const numRuns = Number(process.env.MCP_FUZZ_RUNS ?? 10_000)

let stack: Stack
let url = ''
let credentials: Mcp.CredentialJson[] = []

before(async () => {
  // Genuine challenges stay valid for the whole run.
  stack = await startStack({ env: { CHALLENGE_TTL_SECONDS: '3600' } })
  url = `${stack.url}/mcp`
  credentials = []
  for (let i = 0; i < 4; i++)
    credentials.push(await authorization(await challengeFor(url, 'fortune', {}), anvilAccount(9), stack.chain, 3000))
})
after(async () => {
  await stack?.stop()
})

test(`${numRuns} JSON-RPC bodies against a running server: no 5xx, no -32603, well-formed answers`, { timeout: 60 * 60_000 }, async () => {
  const body = mcpBodies({
    tools: ['fortune', 'fortune', 'summarize', 'word_count', 'demo', 'nope'],
    arguments: fc.constantFrom({}, { topic: 'fuzz' }, { text: 'Fuzz. Me.' }),
    credentials: () => credentials,
  })
  const seen = new Map<string, number>()
  await fc.assert(
    fc.asyncProperty(body, fc.boolean(), async (text, withVersion) => {
      const headers: Record<string, string> = { ...rpcHeaders }
      if (!withVersion) delete headers['mcp-protocol-version']
      const response = await fetch(url, { method: 'POST', headers, body: text })
      for (const what of checkAnswer(response.status, await response.text(), assert)) seen.set(what, (seen.get(what) ?? 0) + 1)
    }),
    { numRuns },
  )
  console.log(`answers: ${JSON.stringify(Object.fromEntries([...seen].sort()))}`)
  for (const what of ['HTTP 200', 'HTTP 202', 'HTTP 400', '-32700', '-32600', '-32601', '-32602', '-32042', '-32043'])
    assert.ok((seen.get(what) ?? 0) > 0, `no body produced ${what}: ${JSON.stringify([...seen])}`)
  if (numRuns >= 10_000) assert.ok((seen.get('paid') ?? 0) > 0, `no body paid: ${JSON.stringify([...seen])}`)

  const logs = stack.apps.map((app) => app.logs()).join('\n')
  assert.match(logs, /Ready in/, 'the app output is captured')
  assert.doesNotMatch(logs, /^mcp: /m, 'no server failure was reported')
  for (const credential of credentials) assert.ok(!logs.includes(String(credential.payload.signature)), 'a signature reached the logs')
})
