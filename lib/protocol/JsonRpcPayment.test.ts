import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import * as Challenge from './Challenge'
import * as JsonRpcPayment from './JsonRpcPayment'
import * as Mcp from './Mcp'

const challenge = Challenge.create({
  secret: 'json-rpc-binding-test',
  realm: 'tollgate.example',
  method: 'evm',
  intent: 'charge',
  request: {
    amount: '100',
    currency: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
    recipient: '0x742d35Cc6634C0532925a3b844Bc9e7595f8fE00',
    methodDetails: { chainId: 84532, decimals: 6, credentialTypes: ['authorization'] },
  },
  expires: '2030-01-15T12:05:00.000Z',
})
const credential = Mcp.credentialToJson({ challenge, payload: { type: 'authorization', signature: '0xabc' } })

const read = (value: unknown) => JsonRpcPayment.readPaymentRequest(typeof value === 'string' ? value : JSON.stringify(value))

describe('JsonRpcPayment.readPaymentRequest', () => {
  test('a request without `_meta`, a batch, a notification, a non-2.0 message or broken JSON keeps the HTTP binding', () => {
    assert.equal(read({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }), null)
    assert.equal(read([{ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', _meta: {} }]), null)
    assert.equal(read({ jsonrpc: '2.0', method: 'eth_blockNumber', _meta: {} }), null)
    assert.equal(read({ jsonrpc: '1.0', id: 1, method: 'eth_blockNumber', _meta: {} }), null)
    assert.equal(read({ jsonrpc: '2.0', id: { x: 1 }, method: 'eth_blockNumber', _meta: {} }), null)
    assert.equal(read({ jsonrpc: '2.0', id: 1, method: 7, _meta: {} }), null)
    assert.equal(read('{"jsonrpc":"2.0","id":1,"method":"x","_meta":{}'), null)
    // params._meta without a credential is the upstream's own business.
    assert.equal(read({ jsonrpc: '2.0', id: 1, method: 'x', params: { _meta: { trace: true } } }), null)
  })

  test("the spec's root-level example: `_meta: {}` asks for the binding; the upstream gets every other byte as sent", () => {
    // 2^64 + 1 has no exact double: re-serializing would change it.
    const text = '{ "jsonrpc":"2.0", "id":"a-1","method":"eth_getBalance" ,"params":[ "0xabc", 18446744073709551617 ],\n"_meta":{} }'
    const call = read(text)!
    assert.equal(call.id, 'a-1')
    assert.equal(call.method, 'eth_getBalance')
    assert.equal(call.credential, null)
    assert.equal(call.malformed, null)
    assert.equal(call.forwardText, '{"jsonrpc":"2.0","id":"a-1","method":"eth_getBalance","params":[ "0xabc", 18446744073709551617 ]}')
  })

  test('reads the credential from the root `_meta` (array params) and from `params._meta` (object params), and strips both', () => {
    const root = read({
      jsonrpc: '2.0',
      id: 2,
      method: 'eth_getBlockByNumber',
      params: ['latest', false],
      _meta: { [Mcp.credentialMetaKey]: credential },
    })!
    assert.equal(root.credential?.challenge.id, challenge.id)
    assert.deepEqual(JSON.parse(root.forwardText), { jsonrpc: '2.0', id: 2, method: 'eth_getBlockByNumber', params: ['latest', false] })

    const nested = read({ jsonrpc: '2.0', id: 3, method: 'search', params: { q: 'x', _meta: { [Mcp.credentialMetaKey]: credential } } })!
    assert.equal(nested.credential?.challenge.id, challenge.id)
    assert.deepEqual(JSON.parse(nested.forwardText), { jsonrpc: '2.0', id: 3, method: 'search', params: { q: 'x' } })
  })

  test('every root `_meta` member is stripped (JSON.parse keeps the last of duplicates; the upstream must see none)', () => {
    const call = read(
      `{"jsonrpc":"2.0","_meta":{"a":1},"id":1,"method":"m","_meta":{"${Mcp.credentialMetaKey}":${JSON.stringify(credential)}}}`,
    )!
    assert.equal(call.credential?.challenge.id, challenge.id)
    assert.equal(call.forwardText, '{"jsonrpc":"2.0","id":1,"method":"m"}')
  })

  test('an unreadable credential is reported, not thrown', () => {
    const call = read({ jsonrpc: '2.0', id: 1, method: 'm', _meta: { [Mcp.credentialMetaKey]: { challenge: 'nope' } } })!
    assert.equal(call.credential, null)
    assert.ok(call.malformed)
    assert.equal(read({ jsonrpc: '2.0', id: 1, method: 'm', _meta: 'not an object' })!.malformed?.status, 402)
  })

  test('the bound call is the method and params: a retry with another id, member order or `_meta` binds the same call', () => {
    const first = read({ jsonrpc: '2.0', id: 1, method: 'eth_call', params: [{ to: '0x1', data: '0x' }, 'latest'], _meta: {} })!
    const retry = read({
      _meta: { [Mcp.credentialMetaKey]: credential },
      params: [{ data: '0x', to: '0x1' }, 'latest'],
      method: 'eth_call',
      id: 'b',
      jsonrpc: '2.0',
    })!
    assert.equal(first.boundCall, retry.boundCall)
    const other = read({ jsonrpc: '2.0', id: 1, method: 'eth_call', params: [{ to: '0x2', data: '0x' }, 'latest'], _meta: {} })!
    assert.notEqual(first.boundCall, other.boundCall)
  })

  test('fuzz: the forwarded text is the request without its payment `_meta`, and holds no `_meta` to read again', () => {
    const key = fc.string({ maxLength: 6 }).filter((name) => name !== '_meta' && name !== '__proto__')
    fc.assert(
      fc.property(
        fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
        fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })),
        fc.oneof(fc.constant(0), fc.constant(2), fc.constant('\t')),
        fc.boolean(),
        fc.boolean(),
        (extra, params, indent, metaFirst, nestedCredential) => {
          const meta = nestedCredential ? {} : { [Mcp.credentialMetaKey]: credential }
          const paramsValue =
            nestedCredential && typeof params === 'object' && params !== null && !Array.isArray(params)
              ? { ...params, _meta: { [Mcp.credentialMetaKey]: credential } }
              : params
          const core = { ...extra, jsonrpc: '2.0', id: 7, method: 'm', params: paramsValue }
          const message = metaFirst ? { _meta: meta, ...core } : { ...core, _meta: meta }
          const call = JsonRpcPayment.readPaymentRequest(JSON.stringify(message, null, indent))
          assert.ok(call)
          const expectedParams =
            paramsValue === params ? params : Object.fromEntries(Object.entries(paramsValue as object).filter(([k]) => k !== '_meta'))
          const forwarded = JSON.parse(call.forwardText) as Record<string, unknown>
          // Through JSON once: fast-check's dictionaries have no prototype, JSON.parse's objects do.
          assert.deepEqual(forwarded, JSON.parse(JSON.stringify({ ...extra, jsonrpc: '2.0', id: 7, method: 'm', params: expectedParams })))
          assert.equal(JsonRpcPayment.readPaymentRequest(call.forwardText), null)
        },
      ),
      { numRuns: 2000 },
    )
  })
})
