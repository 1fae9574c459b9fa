import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as Binding from './Binding'
import * as Challenge from './Challenge'
import * as Credential from './Credential'
import * as Digest from './Digest'
import * as Mcp from './Mcp'
import * as Problem from './Problem'
import * as Receipt from './Receipt'

// draft-payment-transport-mcp-00, "Signaling Payment Required", the challenge verbatim.
const specChallenge = {
  id: 'qB3wErTyU7iOpAsD9fGhJk',
  realm: 'api.example.com',
  method: 'tempo',
  intent: 'charge',
  request: { amount: '1000', currency: 'usd', recipient: '0x742d35Cc6634C0532925a3b844Bc9e7595f8fE00' },
  expires: '2025-01-15T12:05:00Z',
  description: 'API call fee',
}

// Appendix "Example: Ethereum JSON-RPC over WebSocket", step 3 (root `_meta`, array params), verbatim.
const specRootMessage = {
  jsonrpc: '2.0',
  id: 2,
  method: 'eth_getBlockByNumber',
  params: ['latest', false],
  _meta: {
    'org.paymentauth/credential': {
      challenge: {
        id: 'ch_ws_789',
        realm: 'rpc.example.com',
        method: 'tempo',
        intent: 'charge',
        request: { amount: '1', currency: 'usd', recipient: '0x742d35Cc6634C0532925a3b844Bc9e7595f8fE00' },
        expires: '2025-01-15T12:05:00Z',
      },
      source: '0x1234567890abcdef...',
      payload: { signature: '0xabc123...' },
    },
  },
}

// Appendix "Example: MCP Tool Call", steps 3 and 4 (nested `_meta`), verbatim.
const specToolCall = {
  jsonrpc: '2.0',
  id: 2,
  method: 'tools/call',
  params: {
    name: 'web-search',
    arguments: { query: 'MCP protocol' },
    _meta: {
      'org.paymentauth/credential': {
        challenge: {
          id: 'ch_abc123',
          realm: 'search.example.com',
          method: 'tempo',
          intent: 'charge',
          request: { amount: '10', currency: 'usd', recipient: '0x742d35Cc6634C0532925a3b844Bc9e7595f8fE00' },
          expires: '2025-01-15T12:05:00Z',
        },
        source: '0x1234567890abcdef...',
        payload: { signature: '0xabc123...' },
      },
    },
  },
}
const specToolResult = {
  content: [{ type: 'text', text: "Search results for 'MCP protocol'..." }],
  _meta: {
    'org.paymentauth/receipt': {
      status: 'success',
      method: 'tempo',
      timestamp: '2025-01-15T12:00:15Z',
      reference: '0xtx789...',
      challengeId: 'ch_abc123',
    },
  },
}

const secret = 'mcp-test-secret'
const evmRequest = {
  amount: '10000',
  currency: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  recipient: '0x742d35Cc6634C0532925a3b844Bc9e7595f8fE00',
  methodDetails: { chainId: 84532, decimals: 6, credentialTypes: ['authorization'] },
}
const ours = Challenge.create({
  secret,
  realm: 'tollgate.example',
  method: 'evm',
  intent: 'charge',
  request: evmRequest,
  expires: '2030-01-15T12:05:00.000Z',
  digest: 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:',
  opaque: { resource: 'mcp:tool:search', nonce: 'n1' },
  description: 'One search',
})

/** A copy of `value` without member `name`. */
const without = (value: object, name: string) => Object.fromEntries(Object.entries(value).filter(([key]) => key !== name))

/** What the JSON-RPC wire does to a value: serialize and parse. */
const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

describe('Mcp challenges', () => {
  test("reads the spec's challenge and writes it back unchanged", () => {
    const challenge = Mcp.challengeFromJson(specChallenge)
    assert.deepEqual(challenge.request, specChallenge.request)
    assert.deepEqual(Mcp.challengeToJson(challenge), specChallenge)
  })

  test('request travels as a JSON object, opaque as the base64url(JCS) string HTTP uses', () => {
    const json = Mcp.challengeToJson(ours)
    assert.deepEqual(json.request, evmRequest)
    assert.equal(typeof json.opaque, 'string')
    // The HTTP header carries the very same opaque string.
    assert.match(Challenge.serialize(ours), new RegExp(`opaque="${json.opaque}"`))
    assert.deepEqual(Mcp.challengeFromJson(wire(json)), ours)
  })

  test('the id binds JCS(request): the MCP echo verifies, with members in any order, and is the HTTP id', () => {
    const echoed = Mcp.challengeFromJson(wire(Mcp.challengeToJson(ours)))
    assert.ok(Binding.verify(echoed, [secret]))
    const reordered = Mcp.challengeFromJson({
      ...wire(Mcp.challengeToJson(ours)),
      request: {
        recipient: evmRequest.recipient,
        methodDetails: { credentialTypes: ['authorization'], decimals: 6, chainId: 84532 },
        currency: evmRequest.currency,
        amount: evmRequest.amount,
      },
    })
    assert.ok(Binding.verify(reordered, [secret]))
    assert.equal(Challenge.deserialize(Challenge.serialize(ours)).id, echoed.id)
  })

  test('changing any bound member of the echo breaks the binding', () => {
    const json = wire(Mcp.challengeToJson(ours))
    const tampered: Array<Record<string, unknown>> = [
      { ...json, request: { ...evmRequest, amount: '1' } },
      { ...json, request: { ...evmRequest, methodDetails: { ...evmRequest.methodDetails, chainId: 1 } } },
      { ...json, expires: '2031-01-15T12:05:00.000Z' },
      { ...json, realm: 'other.example' },
      { ...json, digest: 'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:' },
      { ...json, opaque: Mcp.challengeToJson({ ...ours, opaque: { resource: 'mcp:tool:other', nonce: 'n1' } }).opaque },
    ]
    for (const value of tampered) assert.equal(Binding.verify(Mcp.challengeFromJson(value), [secret]), false)
    // description is display-only and not bound, as over HTTP.
    assert.ok(Binding.verify(Mcp.challengeFromJson({ ...json, description: 'changed' }), [secret]))
  })

  test('ignores unknown members (mppx adds the decoded opaque as `meta`)', () => {
    const json = { ...wire(Mcp.challengeToJson(ours)), meta: { resource: 'x' }, extra: 1 }
    assert.deepEqual(Mcp.challengeFromJson(json), ours)
  })

  test('rejects what is not a challenge, naming the field', () => {
    const json = wire(Mcp.challengeToJson(ours))
    const withoutId = without(json, 'id')
    const cases: Array<[unknown, RegExp]> = [
      [null, /challenge must be a JSON object/],
      [[json], /challenge must be a JSON object/],
      [withoutId, /^Missing required field: challenge\.id$/],
      [{ ...json, request: Challenge.serialize(ours) }, /challenge\.request: must be a JSON object/],
      [{ ...json, request: [1] }, /challenge\.request: must be a JSON object/],
      [{ ...json, opaque: { resource: 'x' } }, /challenge\.opaque/],
      [{ ...json, opaque: 'not base64url!' }, /challenge\.opaque is not base64url/],
      [{ ...json, expires: 'tomorrow' }, /expires must be an RFC 3339 date-time/],
      [{ ...json, method: 'EVM' }, /method must be lowercase/],
      [{ ...json, digest: 'sha-256=abc' }, /digest must be an RFC 9530 digest/],
      [{ ...json, id: '' }, /id must be a non-empty string/],
      [{ ...json, realm: 7 }, /challenge\.realm/],
    ]
    for (const [value, message] of cases) assert.throws(() => Mcp.challengeFromJson(value), { name: 'MalformedChallengeError', message })
  })
})

describe('Mcp credentials', () => {
  test("reads the spec's root `_meta` credential of a generic JSON-RPC call (array params)", () => {
    const credential = Mcp.credentialFromMessage(specRootMessage)
    assert.ok(credential)
    assert.equal(credential.challenge.id, 'ch_ws_789')
    assert.deepEqual(credential.challenge.request, specRootMessage._meta['org.paymentauth/credential'].challenge.request)
    assert.deepEqual(credential.payload, { signature: '0xabc123...' })
    assert.equal(credential.source, '0x1234567890abcdef...')
  })

  test("reads the spec's nested `params._meta` credential of an MCP tool call", () => {
    const credential = Mcp.credentialFromMessage(specToolCall)
    assert.ok(credential)
    assert.equal(credential.challenge.id, 'ch_abc123')
    assert.deepEqual(Mcp.credentialToJson(credential), specToolCall.params._meta['org.paymentauth/credential'])
  })

  test('no credential: null, whatever else `_meta` holds', () => {
    assert.equal(Mcp.credentialFromMessage({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } }), null)
    assert.equal(
      Mcp.credentialFromMessage({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x', _meta: { progressToken: 1 } } }),
      null,
    )
    assert.equal(Mcp.credentialFromMessage({ jsonrpc: '2.0', id: 1, method: 'x', params: [1], _meta: {} }), null)
    assert.equal(Mcp.credentialFromMessage('not a message'), null)
  })

  test('our credential object round-trips through the wire and keeps its binding', () => {
    const credential: Credential.Credential = {
      challenge: ours,
      payload: { type: 'hash', hash: `0x${'ab'.repeat(32)}` },
      source: 'did:pkh:eip155:84532:0x1',
    }
    const message = wire({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'search', _meta: { [Mcp.credentialMetaKey]: Mcp.credentialToJson(credential) } },
    })
    const read = Mcp.credentialFromMessage(message)
    assert.deepEqual(read, credential)
    assert.ok(Binding.verify(read!.challenge, [secret]))
  })

  test('both placements: the same credential is one credential, two different ones are malformed', () => {
    const json = specToolCall.params._meta['org.paymentauth/credential']
    const both = {
      ...specToolCall,
      _meta: { 'org.paymentauth/credential': { payload: json.payload, source: json.source, challenge: json.challenge } },
    }
    assert.equal(Mcp.credentialFromMessage(both)?.challenge.id, 'ch_abc123')
    const different = { ...specToolCall, _meta: { 'org.paymentauth/credential': { ...json, payload: { signature: '0xother' } } } }
    assert.throws(() => Mcp.credentialFromMessage(different), { name: 'MalformedCredentialError', message: /send one credential/ })
  })

  test("malformed credentials are MalformedCredentialError with the spec's wording for a missing field", () => {
    const json = specToolCall.params._meta['org.paymentauth/credential']
    const challengeWithoutId = without(json.challenge, 'id')
    const withCredential = (credential: unknown) => ({
      ...specToolCall,
      params: { name: 'web-search', _meta: { [Mcp.credentialMetaKey]: credential } },
    })
    const cases: Array<[unknown, RegExp]> = [
      [withCredential({ ...json, challenge: challengeWithoutId }), /^Missing required field: challenge\.id$/],
      [withCredential({ payload: json.payload }), /^Missing required field: challenge$/],
      [withCredential({ challenge: json.challenge }), /^Missing required field: payload$/],
      [withCredential({ ...json, payload: 'sig' }), /payload: must be a JSON object/],
      [withCredential({ ...json, source: 5 }), /source/],
      [withCredential('Payment abc'), /credential must be a JSON object/],
      [withCredential(null), /credential must be a JSON object/],
      [withCredential({ ...json, challenge: { ...json.challenge, request: 'eyJhIjoxfQ' } }), /challenge\.request: must be a JSON object/],
      [withCredential({ ...json, payload: { big: 'x'.repeat(Credential.maxLength) } }), /too large/],
      [withCredential({ ...json, payload: { text: '\uD800' } }), /no canonical JSON form/],
      [{ ...specToolCall, params: { name: 'x', _meta: 'credential' } }, /params\._meta must be a JSON object/],
      [{ ...specRootMessage, _meta: [] }, /^_meta must be a JSON object/],
    ]
    for (const [message, detail] of cases)
      assert.throws(
        () => Mcp.credentialFromMessage(message),
        (error: unknown) => error instanceof Problem.MalformedCredentialError && detail.test(error.detail),
        String(detail),
      )
  })

  test('a "__proto__" member of the payload stays data', () => {
    const json = JSON.parse(
      '{"challenge":{"id":"a","realm":"r","method":"evm","intent":"charge","request":{"amount":"1"}},"payload":{"__proto__":{"polluted":true},"sig":"0x"}}',
    ) as unknown
    const credential = Mcp.credentialFromJson(json)
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
    assert.equal(Object.getPrototypeOf(credential.payload), Object.prototype)
    assert.deepEqual(Object.keys(credential.payload), ['__proto__', 'sig'])
  })
})

describe('Mcp errors', () => {
  test('-32042 has the shape of the spec example', () => {
    const error = Mcp.paymentRequired(
      [Mcp.challengeFromJson(specChallenge)],
      new Problem.PaymentRequiredError('Payment required for access.'),
    )
    assert.deepEqual(wire(error), {
      code: -32042,
      message: 'Payment Required',
      data: {
        httpStatus: 402,
        challenges: [specChallenge],
        problem: {
          type: 'https://paymentauth.org/problems/payment-required',
          title: 'Payment Required',
          status: 402,
          detail: 'Payment required for access.',
        },
      },
    })
  })

  test('-32042 offers every challenge as an alternative and has a default problem', () => {
    const stripe = Challenge.create({
      secret,
      realm: 'tollgate.example',
      method: 'stripe',
      intent: 'charge',
      request: { amount: '1', currency: 'usd' },
    })
    const error = Mcp.paymentRequired([ours, stripe])
    assert.deepEqual(
      error.data.challenges.map((c) => c.method),
      ['evm', 'stripe'],
    )
    assert.equal(error.data.problem.type, 'https://paymentauth.org/problems/payment-required')
    assert.throws(() => Mcp.paymentRequired([]), Challenge.InvalidChallengeFieldsError)
  })

  test('-32043 carries fresh challenges, the spec `failure` and the RFC 9457 problem', () => {
    const error = Mcp.verificationFailed([ours], new Problem.VerificationFailedError('Signature verification failed'), {
      challengeId: 'old',
    })
    assert.deepEqual(wire(error), {
      code: -32043,
      message: 'Payment Verification Failed',
      data: {
        httpStatus: 402,
        challenges: [wire(Mcp.challengeToJson(ours))],
        problem: {
          type: 'https://paymentauth.org/problems/verification-failed',
          title: 'Verification Failed',
          status: 402,
          detail: 'Signature verification failed',
          challengeId: 'old',
        },
        failure: { reason: 'verification-failed', detail: 'Signature verification failed' },
      },
    })
  })

  test("-32602 has the spec example's detail, plus the problem; challenges only when given", () => {
    const bare = Mcp.malformedCredential('Missing required field: challenge.id')
    assert.deepEqual(wire(bare), {
      code: -32602,
      message: 'Invalid params',
      data: {
        detail: 'Missing required field: challenge.id',
        problem: {
          type: 'https://paymentauth.org/problems/malformed-credential',
          title: 'Malformed Credential',
          status: 402,
          detail: 'Missing required field: challenge.id',
        },
      },
    })
    const withChallenges = Mcp.malformedCredential(new Problem.MalformedCredentialError('bad'), [ours])
    assert.equal(withChallenges.data.httpStatus, 402)
    assert.equal(withChallenges.data.challenges?.[0]?.id, ours.id)
  })

  test('errorFor maps every problem type to its code', () => {
    const cases: Array<[Problem.PaymentProblem, number, number]> = [
      [new Problem.PaymentRequiredError('x'), -32042, 402],
      [new Problem.MalformedCredentialError('x'), -32602, 402],
      [new Problem.MalformedSessionPayloadError('x'), -32602, 400],
      [new Problem.VerificationFailedError('x'), -32043, 402],
      [new Problem.PaymentExpiredError('x'), -32043, 402],
      [new Problem.InvalidChallengeError('x'), -32043, 402],
      [new Problem.PaymentInsufficientError('x'), -32043, 402],
      [new Problem.MethodUnsupportedError('x'), -32043, 400],
      [new Problem.ChannelNotFoundError('x'), -32043, 410],
    ]
    for (const [problem, code, httpStatus] of cases) {
      const error = Mcp.errorFor(problem, [ours])
      assert.equal(error.code, code, problem.code)
      const data = error.data as { httpStatus: number; problem: Problem.Body; challenges: unknown[] }
      assert.equal(data.httpStatus, httpStatus, problem.code)
      assert.equal(data.problem.type, problem.type)
      assert.equal(data.challenges.length, 1)
    }
    assert.deepEqual(Mcp.internalError('down'), { code: -32603, message: 'Internal error', data: { detail: 'down' } })
  })

  test('paymentRequiredFromError reads what we emit and skips challenges it cannot read', () => {
    const error = wire(Mcp.verificationFailed([ours], new Problem.PaymentExpiredError('expired')))
    const info = Mcp.paymentRequiredFromError(error)
    assert.ok(info)
    assert.equal(info.code, -32043)
    assert.deepEqual(info.challenges, [ours])
    assert.ok(info.problem instanceof Problem.PaymentExpiredError)
    const mixed = { ...error, data: { ...error.data, challenges: [{ id: 'broken' }, ...error.data.challenges] } }
    assert.deepEqual(Mcp.paymentRequiredFromError(mixed)?.challenges, [ours])
    assert.equal(Mcp.paymentRequiredFromError({ ...error, code: -32602 }), null)
    assert.equal(Mcp.paymentRequiredFromError({ ...error, data: { challenges: [{ id: 'broken' }] } }), null)
    assert.equal(Mcp.paymentRequiredFromError({ code: -32042, message: 'x' }), null)
  })
})

describe('Mcp receipts', () => {
  test("reads the spec's tool result receipt", () => {
    assert.deepEqual(Mcp.receiptFromResult(specToolResult), specToolResult._meta['org.paymentauth/receipt'])
    assert.equal(Mcp.receiptFromResult({ content: [] }), null)
    assert.equal(Mcp.receiptFromResult({ content: [], _meta: { other: 1 } }), null)
  })

  test('receipt() adds the challenge id to an HTTP receipt; withReceipt keeps the other _meta members', () => {
    const http = Receipt.from({ method: 'evm', reference: `0x${'12'.repeat(32)}`, timestamp: '2026-01-15T12:00:15Z', chainId: 84532 })
    const receipt = Mcp.receipt(http, ours.id)
    assert.equal(receipt.challengeId, ours.id)
    assert.equal(receipt.reference, http.reference)
    const result = Mcp.withReceipt({ content: [], _meta: { progress: 1 } }, receipt)
    assert.deepEqual(result._meta, { progress: 1, [Mcp.receiptMetaKey]: receipt })
    assert.deepEqual(Mcp.receiptFromResult(wire(result)), receipt)
    // The evm receipt already names its challenge.
    assert.equal(Mcp.receipt({ ...http, challengeId: ours.id }).challengeId, ours.id)
  })

  test('receipt() refuses a receipt without, or with another, challenge id', () => {
    const http = Receipt.from({ method: 'evm', reference: '0x1', timestamp: '2026-01-15T12:00:15Z' })
    assert.throws(() => Mcp.receipt(http), Receipt.InvalidReceiptFieldsError)
    assert.throws(() => Mcp.receipt({ ...http, challengeId: 'a' }, 'b'), Receipt.InvalidReceiptFieldsError)
  })

  test('receiptFromJson: reference optional, challengeId required', () => {
    const base = { status: 'success', method: 'tempo', timestamp: '2025-01-15T12:00:15Z', challengeId: 'c' }
    assert.deepEqual(Mcp.receiptFromJson(base), base)
    for (const bad of [
      { ...base, challengeId: undefined },
      { ...base, status: 'failed' },
      { ...base, timestamp: 'now' },
      { ...base, reference: 1 },
      [],
    ])
      assert.throws(() => Mcp.receiptFromJson(wire(bad)), Receipt.MalformedReceiptError)
  })
})

describe('Mcp capability and operation binding', () => {
  test("capability() builds the spec's example object", () => {
    assert.deepEqual(
      Mcp.capability([
        { method: 'tempo', intent: 'charge' },
        { method: 'stripe', intent: 'charge' },
        { method: 'tempo', intent: 'charge' },
      ]),
      { methods: { tempo: { intents: ['charge'] }, stripe: { intents: ['charge'] } } },
    )
    assert.deepEqual(Mcp.capability([]), { methods: {} })
    assert.throws(() => Mcp.capability([{ method: 'EVM', intent: 'charge' }]), Challenge.InvalidChallengeFieldsError)
  })

  test('payable methods are exactly the spec three', () => {
    assert.deepEqual([...Mcp.payableMethods], ['tools/call', 'resources/read', 'prompts/get'])
    assert.ok(Mcp.isPayableMethod('resources/read'))
    assert.ok(!Mcp.isPayableMethod('tools/list'))
    assert.ok(!Mcp.isPayableMethod(undefined))
  })

  test('operationDigest binds method, name and arguments, not their member order', async () => {
    const a = await Mcp.operationDigest({ method: 'tools/call', name: 'search', arguments: { q: 'x', n: 1 } })
    assert.equal(a, await Mcp.operationDigest({ method: 'tools/call', name: 'search', arguments: { n: 1, q: 'x' } }))
    assert.notEqual(a, await Mcp.operationDigest({ method: 'tools/call', name: 'search', arguments: { q: 'y', n: 1 } }))
    assert.notEqual(a, await Mcp.operationDigest({ method: 'tools/call', name: 'other', arguments: { q: 'x', n: 1 } }))
    assert.equal(
      await Mcp.operationDigest({ method: 'resources/read', name: 'data://x' }),
      await Mcp.operationDigest({ method: 'resources/read', name: 'data://x', arguments: {} }),
    )
    assert.ok(Digest.parse(a).has('sha-256'))
    // A challenge carrying it is still a valid challenge.
    assert.ok(Challenge.create({ secret, realm: 'r', method: 'evm', intent: 'charge', request: { amount: '1' }, digest: a }).id)
  })
})
