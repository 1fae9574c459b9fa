// Interop of lib/protocol/Mcp.ts with mppx 0.11's MCP codec: its client (McpClient) pays the -32042/-32043 errors we
// emit and its credential object is one we read; its server transport (Transport.mcpSdk) reads our credential object
// and we read its errors and receipts. Challenge ids agree both ways, though `request` travels as a JSON object.
// Where mppx departs from the spec (no `failure` on -32043, `challenges` on -32602) the assertions say so.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { McpError } from '@modelcontextprotocol/sdk/types.js'
import { Challenge as MppxChallenge, Errors as MppxErrors, Mcp as MppxMcp } from 'mppx'
import { evm } from 'mppx/client'
import { McpClient } from 'mppx/mcp/client'
import { Transport as MppxTransport } from 'mppx/server'
import { privateKeyToAccount } from 'viem/accounts'
import * as Binding from '@/lib/protocol/Binding'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Credential from '@/lib/protocol/Credential'
import * as Mcp from '@/lib/protocol/Mcp'
import * as evmCharge from '@/lib/protocol/methods/evm'
import * as Problem from '@/lib/protocol/Problem'
import * as Receipt from '@/lib/protocol/Receipt'

const secret = 'interop-mcp-secret'
// anvil's public test account #1: a key every developer has, never funded on a real chain.
const payer = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
const request = evmCharge.createRequest({
  amount: '10000',
  currency: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  recipient: '0x742d35Cc6634C0532925a3b844Bc9e7595f8fE00',
  chainId: 84532,
  decimals: 6,
  credentialTypes: ['authorization'],
})

async function freshChallenge(extra: Partial<Challenge.CreateParameters> = {}): Promise<Challenge.Challenge> {
  return Challenge.create({
    secret,
    realm: 'tollgate.example',
    method: 'evm',
    intent: 'charge',
    request,
    expires: new Date(Date.now() + 300_000),
    opaque: { resource: 'mcp:tool:search', nonce: crypto.randomUUID() },
    digest: await Mcp.operationDigest({ method: 'tools/call', name: 'search', arguments: { q: 'x' } }),
    description: 'One search',
    ...extra,
  })
}

const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

/** What the SDK client throws for a JSON-RPC error response (McpError.fromError, as Protocol does). */
const asSdkError = (error: Mcp.ErrorObject) => McpError.fromError(error.code, error.message, wire(error.data))

type CallParams = { name: string; arguments?: Record<string, unknown>; _meta?: Record<string, unknown> }

/** An SDK-shaped client whose callTool answers from `respond`, recording every call McpClient makes. */
function scriptedClient(respond: (params: CallParams, attempt: number) => Promise<Record<string, unknown>>) {
  const calls: CallParams[] = []
  const client = {
    callTool: async (params: CallParams) => {
      calls.push(wire(params))
      return respond(params, calls.length)
    },
  }
  McpClient.wrap(client as never, {
    methods: [evm({ account: payer, authorization: { name: 'USD Coin', version: '2' }, maxAmount: '1', decimals: 6 })],
  })
  return { client: client as unknown as { callTool(params: CallParams): Promise<Record<string, unknown> & { receipt?: unknown }> }, calls }
}

describe('mppx reads what lib/protocol/Mcp emits', () => {
  test('-32042 and -32043 are payment-required to McpClient; its challenge schema accepts ours and its HMAC equals our id', async () => {
    const challenge = await freshChallenge()
    for (const error of [
      Mcp.paymentRequired([challenge]),
      Mcp.verificationFailed([challenge], new Problem.VerificationFailedError('bad signature')),
    ]) {
      const sdkError = asSdkError(error)
      assert.ok(McpClient.isPaymentRequiredError(sdkError), String(error.code))
      const [parsed] = (sdkError.data as { challenges: unknown[] }).challenges.map((c) => MppxChallenge.Schema.parse(c))
      assert.ok(MppxChallenge.verify(parsed!, { secretKey: secret }))
      assert.deepEqual(parsed!.request, request)
    }
  })

  test('-32602 is not payment-required to McpClient (it throws it to the caller)', () => {
    assert.equal(McpClient.isPaymentRequiredError(asSdkError(Mcp.malformedCredential('Missing required field: challenge.id'))), false)
    assert.equal(MppxMcp.invalidParamsCode, Mcp.invalidParamsCode)
    assert.equal(MppxMcp.paymentRequiredCode, Mcp.paymentRequiredCode)
    assert.equal(MppxMcp.paymentVerificationFailedCode, Mcp.verificationFailedCode)
    assert.equal(MppxMcp.credentialMetaKey, Mcp.credentialMetaKey)
    assert.equal(MppxMcp.receiptMetaKey, Mcp.receiptMetaKey)
  })

  test('mppx server transport reads our credential object and verifies its binding', async () => {
    const challenge = await freshChallenge()
    const ours = Mcp.credentialToJson({
      challenge,
      payload: { type: 'hash', hash: `0x${'ab'.repeat(32)}` },
      source: 'did:pkh:eip155:84532:0x1',
    })
    const credential = MppxTransport.mcpSdk().getCredential({ _meta: { [Mcp.credentialMetaKey]: wire(ours) } } as never)
    assert.ok(credential)
    assert.equal(credential.challenge.id, challenge.id)
    assert.ok(MppxChallenge.verify(credential.challenge, { secretKey: secret }))
    assert.deepEqual(credential.payload, ours.payload)
  })
})

describe('lib/protocol/Mcp reads what mppx emits', () => {
  test('McpClient pays our -32042: the credential it resends is one we read, bound to our challenge, and it returns our receipt', async () => {
    const challenge = await freshChallenge()
    const reference = `0x${'cd'.repeat(32)}`
    const { client, calls } = scriptedClient(async (params, attempt) => {
      if (attempt === 1) throw asSdkError(Mcp.paymentRequired([challenge]))
      const credential = Mcp.credentialFromMessage({ jsonrpc: '2.0', id: 2, method: 'tools/call', params })
      assert.ok(credential)
      const receipt = Mcp.receipt(
        Receipt.from({ method: 'evm', reference, timestamp: new Date(), chainId: 84532 }),
        credential.challenge.id,
      )
      return wire(Mcp.withReceipt({ content: [{ type: 'text', text: 'result' }] }, receipt))
    })
    const result = await client.callTool({ name: 'search', arguments: { q: 'x' } })
    assert.equal(calls.length, 2)
    assert.deepEqual(calls[1]!.arguments, { q: 'x' })

    // The echo: request an object, opaque the string we sent, description/digest/expires unchanged.
    const echo = (calls[1]!._meta![Mcp.credentialMetaKey] as { challenge: Record<string, unknown> }).challenge
    assert.deepEqual(echo, wire(Mcp.challengeToJson(challenge)))
    const credential = Mcp.credentialFromMessage({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: calls[1] })!
    assert.deepEqual(credential.challenge, challenge)
    assert.ok(Binding.verify(credential.challenge, [secret]))
    const payload = evmCharge.parsePayload(credential.payload)
    assert.equal(payload.type, 'authorization')
    assert.equal(payload.type === 'authorization' && payload.nonce, evmCharge.authorizationNonce(challenge.id, challenge.realm))
    assert.equal(credential.source, evmCharge.payerSource(84532, payer.address))

    assert.equal((result.receipt as Mcp.ReceiptJson).reference, reference)
    assert.equal(Mcp.receiptFromResult(result)?.challengeId, challenge.id)
  })

  test('McpClient pays the fresh challenge of a -32043, and gives up with -32602', async () => {
    const [first, second] = [await freshChallenge(), await freshChallenge()]
    const { client, calls } = scriptedClient(async (params, attempt) => {
      if (attempt === 1) throw asSdkError(Mcp.paymentRequired([first]))
      if (attempt === 2) throw asSdkError(Mcp.verificationFailed([second], new Problem.PaymentExpiredError('expired')))
      throw asSdkError(Mcp.malformedCredential('Missing required field: challenge.id'))
    })
    await assert.rejects(client.callTool({ name: 'search' }), (error: unknown) => error instanceof McpError && error.code === -32602)
    const echoed = calls.slice(1).map((call) => (call._meta![Mcp.credentialMetaKey] as { challenge: { id: string } }).challenge.id)
    assert.deepEqual(echoed, [first.id, second.id])
  })

  test('McpClient picks the challenge it has a method for among alternatives', async () => {
    const stripe = Challenge.create({
      secret,
      realm: 'tollgate.example',
      method: 'stripe',
      intent: 'charge',
      request: { amount: '1', currency: 'usd' },
    })
    const challenge = await freshChallenge()
    const { client, calls } = scriptedClient(async (_params, attempt) => {
      if (attempt === 1) throw asSdkError(Mcp.paymentRequired([stripe, challenge]))
      return { content: [] }
    })
    await client.callTool({ name: 'search' })
    assert.equal((calls[1]!._meta![Mcp.credentialMetaKey] as { challenge: { id: string } }).challenge.id, challenge.id)
  })

  test("mppx server transport's -32042/-32043 data parses here and its ids verify under the shared secret", async () => {
    const transport = MppxTransport.mcpSdk()
    const mppxChallenge = MppxChallenge.from({
      secretKey: secret,
      realm: 'tollgate.example',
      method: 'evm',
      intent: 'charge',
      request,
      expires: new Date(Date.now() + 300_000).toISOString(),
      meta: { resource: 'mcp:tool:search' },
    })
    const required = (await transport.respondChallenge({ challenge: mppxChallenge } as never)) as McpError
    const failed = (await transport.respondChallenge({
      challenge: mppxChallenge,
      error: new MppxErrors.VerificationFailedError({ reason: 'bad signature' }),
    } as never)) as McpError
    for (const error of [required, failed]) {
      const info = Mcp.paymentRequiredFromError(wire({ code: error.code, message: error.message, data: error.data }))
      assert.ok(info)
      assert.equal(info.challenges.length, 1)
      assert.ok(Binding.verify(info.challenges[0]!, [secret]))
      assert.deepEqual(info.challenges[0]!.opaque, { resource: 'mcp:tool:search' })
    }
    // mppx departs from the spec here: its -32043 has the problem but no `failure`, and its message is the error's own.
    assert.equal(failed.code, -32043)
    assert.equal((failed.data as Record<string, unknown>).failure, undefined)
    assert.ok(
      Mcp.paymentRequiredFromError(wire({ code: failed.code, message: failed.message, data: failed.data }))?.problem instanceof
        Problem.VerificationFailedError,
    )
  })

  test("mppx server transport's receipt parses here", () => {
    const receipt = { status: 'success', method: 'evm', timestamp: new Date().toISOString(), reference: '0x1' }
    const result = MppxTransport.mcpSdk().respondReceipt({ receipt, response: { content: [] }, challengeId: 'abc' } as never)
    assert.deepEqual(Mcp.receiptFromResult(wire(result)), { ...receipt, challengeId: 'abc' })
  })

  test('the credential McpClient builds is the HTTP credential with `request` decoded: both forms verify alike', async () => {
    const challenge = await freshChallenge()
    const { client, calls } = scriptedClient(async (_params, attempt) => {
      if (attempt === 1) throw asSdkError(Mcp.paymentRequired([challenge]))
      return { content: [] }
    })
    await client.callTool({ name: 'search' })
    const fromMeta = Mcp.credentialFromJson(calls[1]!._meta![Mcp.credentialMetaKey])
    assert.deepEqual(Credential.deserialize(Credential.serialize(fromMeta)), fromMeta)
  })
})
