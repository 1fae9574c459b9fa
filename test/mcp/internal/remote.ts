// Talking to a running Tollgate's /mcp: raw JSON-RPC POSTs (to see every byte of an answer), the SDK client
// (wrapped by mppx's McpClient where a test pays the way agents do), and EIP-3009 credentials signed here for
// the hostile cases (replays, races, credentials for another call) that no well-behaved client would send.
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js'
import { evm } from 'mppx/client'
import { McpClient } from 'mppx/mcp/client'
import type { Account, LocalAccount } from 'viem'
import type * as Challenge from '@/lib/protocol/Challenge'
import * as Mcp from '@/lib/protocol/Mcp'
import * as evmCharge from '@/lib/protocol/methods/evm'
import type { TestChain } from '@/test/support/chain'

export type RpcAnswer = { status: number; text: string; json: unknown }
export type RpcError = { code: number; message: string; data?: Record<string, unknown> }

export const rpcHeaders = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
}

/** One POST of `body` (a value, or raw text) to /mcp. */
export async function rpc(url: string, body: unknown): Promise<RpcAnswer> {
  const response = await fetch(url, { method: 'POST', headers: rpcHeaders, body: typeof body === 'string' ? body : JSON.stringify(body) })
  const text = await response.text()
  let json: unknown = null
  try {
    json = text === '' ? null : JSON.parse(text)
  } catch {
    json = null
  }
  return { status: response.status, text, json }
}

export function toolCall(id: number | string, name: string, args: Record<string, unknown>, credential?: unknown) {
  return {
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name, arguments: args, ...(credential === undefined ? {} : { _meta: { [Mcp.credentialMetaKey]: credential } }) },
  }
}

/** The error of a JSON-RPC answer (throws when it is a result). */
export function errorOf(answer: RpcAnswer): RpcError {
  const error = (answer.json as { error?: RpcError } | null)?.error
  if (!error) throw new Error(`expected a JSON-RPC error, got HTTP ${answer.status}: ${answer.text.slice(0, 300)}`)
  return error
}

export function resultOf(answer: RpcAnswer): Record<string, unknown> {
  const result = (answer.json as { result?: Record<string, unknown> } | null)?.result
  if (!result) throw new Error(`expected a JSON-RPC result, got HTTP ${answer.status}: ${answer.text.slice(0, 300)}`)
  return result
}

/** The first challenge of the -32042 an unpaid call gets. */
export async function challengeFor(url: string, name: string, args: Record<string, unknown>): Promise<Challenge.Challenge> {
  const error = errorOf(await rpc(url, toolCall(1, name, args)))
  if (error.code !== Mcp.paymentRequiredCode) throw new Error(`expected -32042, got ${error.code}`)
  return Mcp.challengeFromJson((error.data as unknown as Mcp.PaymentErrorData).challenges[0])
}

/** An EIP-3009 authorization of exactly what `challenge` asks, signed by `account`, as the `_meta` credential object. */
export async function authorization(
  challenge: Challenge.Challenge,
  account: LocalAccount,
  chain: TestChain,
  validForSeconds = 240,
): Promise<Mcp.CredentialJson> {
  const request = evmCharge.parseRequest(challenge.request)
  const signed: evmCharge.Authorization = {
    from: account.address,
    to: request.recipient,
    value: request.amount,
    validAfter: '0',
    validBefore: String(Math.floor(Date.now() / 1000) + validForSeconds),
    nonce: evmCharge.authorizationNonce(challenge.id, challenge.realm),
  }
  const domain = { name: 'USD Coin', version: '2', chainId: chain.chainId, verifyingContract: chain.token }
  const signature = await account.signTypedData(evmCharge.transferWithAuthorizationTypedData(domain, signed))
  return Mcp.credentialToJson({
    challenge,
    payload: { type: 'authorization', ...signed, signature },
    source: evmCharge.payerSource(chain.chainId, account.address),
  })
}

/** The SDK client over Streamable HTTP, connected (initialize done). */
export async function connect(url: string, name = 'tollgate-test'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(url)))
  return client
}

/** An SDK client whose callTool pays with mppx's McpClient: evm/charge, EIP-3009 with the test token's domain, at most $1. */
export async function payingClient(url: string, account: Account): Promise<Client> {
  const client = await connect(url, 'mppx-agent')
  McpClient.wrap(client, { methods: [evm({ account, authorization: { name: 'USD Coin', version: '2' }, maxAmount: '1', decimals: 6 })] })
  return client
}
