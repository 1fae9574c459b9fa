import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as Money from '@/lib/money'
import { listPricedOperations, parseServicePricing, priceRequest, type PriceTable, type ServicePricing } from './price-rules'
import { ServicePricingSchema } from './price-rules-schema'

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))

function pricing(input: unknown): ServicePricing {
  const parsed = parseServicePricing(input)
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.issues.map((i) => i.message).join('; '))
  return parsed.pricing
}

function issues(input: unknown): string[] {
  const parsed = parseServicePricing(input)
  assert.ok(!parsed.ok, 'expected issues')
  return parsed.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

const openAi: PriceTable = {
  ...pricing({
    rules: [
      { method: 'POST', path: '/v1/chat/completions', price: '0.02', settle: 'after-success' },
      { method: 'GET', path: '/v1/models', price: 'free' },
      { method: 'GET', path: '/v1/models/*', price: '0.0005' },
    ],
  }),
  defaultPrice: Money.parseUsd('0.001'),
}

const ethereum: PriceTable = {
  ...pricing({
    rules: [{ method: 'GET', path: '/health', price: 'free' }],
    jsonRpc: { methods: { eth_call: '0.0001', eth_sendRawTransaction: '0.01', eth_chainId: 'free' } },
  }),
  defaultPrice: Money.parseUsd('0.00005'),
}

describe('priceRequest: route rules', () => {
  test('the first matching rule sets the price and settle mode; unmatched requests cost the link default', () => {
    assert.deepEqual(priceRequest(openAi, { method: 'POST', path: '/v1/chat/completions' }), {
      kind: 'priced',
      priceUsd: '0.02',
      settle: 'after-success',
      label: 'POST /v1/chat/completions',
    })
    assert.deepEqual(priceRequest(openAi, { method: 'GET', path: '/v1/models' }), { kind: 'free' })
    assert.deepEqual(priceRequest(openAi, { method: 'HEAD', path: '/v1/models' }), { kind: 'free' }, 'a GET rule prices HEAD')
    assert.deepEqual(priceRequest(openAi, { method: 'GET', path: '/v1/models/gpt-4o' }), {
      kind: 'priced',
      priceUsd: '0.0005',
      settle: 'before',
      label: 'GET /v1/models/*',
    })
    assert.deepEqual(priceRequest(openAi, { method: 'DELETE', path: '/v1/files/1' }), {
      kind: 'priced',
      priceUsd: '0.001',
      settle: 'before',
      label: 'DELETE (default price)',
    })
    assert.deepEqual(priceRequest(openAi, { method: 'GET', path: '/v1/chat/completions' }).kind, 'priced')
    assert.equal((priceRequest(openAi, { method: 'GET', path: '' }) as { priceUsd: string }).priceUsd, '0.001')
  })

  test('path variants an upstream may treat as the same route cost the same', () => {
    for (const path of [
      '/V1/CHAT/COMPLETIONS',
      '/v1/chat/completions/',
      '/v1//chat/completions',
      '/v1/chat/completions;a=b',
      '/v1/%63hat/completions',
    ])
      assert.equal((priceRequest(openAi, { method: 'POST', path }) as { priceUsd?: string }).priceUsd, '0.02', path)
  })

  test('paths that could escape the upstream base and unknown methods are 400s with a detail', () => {
    for (const path of ['/v1/../admin', '/%2e%2e/admin', '/v1%2Fchat', '/a\\b', '/%00']) {
      const decision = priceRequest(openAi, { method: 'GET', path })
      assert.equal(decision.kind, 'invalid', path)
      assert.equal(decision.kind === 'invalid' && decision.status, 400)
    }
    assert.match(
      (priceRequest(openAi, { method: 'OPTIONS', path: '/' }) as { detail: string }).detail,
      /OPTIONS requests are not forwarded/,
    )
    assert.equal(priceRequest(openAi, { method: 'get', path: '/' }).kind, 'invalid', 'methods are case-sensitive')
  })

  test('a free default makes unmatched requests free', () => {
    const table: PriceTable = { ...pricing({ rules: [{ method: 'POST', path: '/**', price: '1' }] }), defaultPrice: 'free' }
    assert.deepEqual(priceRequest(table, { method: 'GET', path: '/x' }), { kind: 'free' })
    assert.equal(priceRequest(table, { method: 'POST', path: '/x' }).kind, 'priced')
  })
})

describe('priceRequest: JSON-RPC', () => {
  const call = (method: string, id = 1) => ({ jsonrpc: '2.0', id, method, params: [] })
  const post = (body: unknown, contentType = 'application/json') =>
    priceRequest(ethereum, { method: 'POST', path: '/', body: body instanceof Uint8Array ? body : json(body), contentType })

  test('a call costs its method price; unlisted methods the JSON-RPC default or the link price', () => {
    assert.deepEqual(post(call('eth_call')), { kind: 'priced', priceUsd: '0.0001', settle: 'before', label: 'jsonrpc eth_call' })
    assert.deepEqual(post(call('eth_sendRawTransaction')), {
      kind: 'priced',
      priceUsd: '0.01',
      settle: 'before',
      label: 'jsonrpc eth_sendRawTransaction',
    })
    assert.deepEqual(post(call('eth_chainId')), { kind: 'free' })
    assert.equal((post(call('eth_getBalance')) as { priceUsd: string }).priceUsd, '0.00005')
    const withDefault: PriceTable = {
      ...ethereum,
      jsonRpc: { ...ethereum.jsonRpc!, default: Money.parseUsd('0.003'), settle: 'after-success' },
    }
    assert.deepEqual(priceRequest(withDefault, { method: 'POST', path: '/', body: json(call('eth_getBalance')) }), {
      kind: 'priced',
      priceUsd: '0.003',
      settle: 'after-success',
      label: 'jsonrpc eth_getBalance',
    })
  })

  test('a batch costs the exact sum of its calls, labelled by method', () => {
    const decision = post([call('eth_call', 1), call('eth_blockNumber', 2), call('eth_call', 3), call('eth_chainId', 4)])
    // 0.0001 + 0.00005 + 0.0001 + free, in exact decimals (floats would give 0.00025000000000000006).
    assert.deepEqual(decision, {
      kind: 'priced',
      priceUsd: '0.00025',
      settle: 'before',
      label: 'jsonrpc eth_call×2 + eth_blockNumber + eth_chainId',
    })
    assert.deepEqual(post([call('eth_chainId'), call('eth_chainId')]), { kind: 'free' })
    const many = Array.from({ length: 10 }, (_, i) => call(`m${i}`))
    assert.match((post(many) as { label: string }).label, /^jsonrpc m0 \+ m1 \+ m2 \+ m3 \+ m4 \+ m5 \+ 4 more methods$/)
    assert.equal((post([call('x'.repeat(200))]) as { label: string }).label, 'jsonrpc (unlisted method)')
  })

  test('bodies that cannot be priced are 400s that say why', () => {
    const cases: Array<[unknown, RegExp]> = [
      [new Uint8Array(0), /it is empty/],
      [new Uint8Array([0xff, 0xfe]), /not UTF-8/],
      [new TextEncoder().encode('{"method":'), /not valid JSON/],
      [[], /the batch is empty/],
      [[1], /call 1 of the batch is not a JSON-RPC request object/],
      ['eth_call', /the call is not a JSON-RPC request object/],
      [{ id: 1 }, /the call has no "method" string/],
      [{ method: 7 }, /no "method" string/],
      [[call('eth_call'), { params: [] }], /call 2 of the batch has no "method" string/],
      [Array.from({ length: 1001 }, () => call('eth_call')), /at most 1000 calls/],
    ]
    for (const [body, detail] of cases) {
      const decision = post(body)
      assert.equal(decision.kind, 'invalid')
      assert.match((decision as { detail: string }).detail, detail)
    }
    assert.match((post(call('eth_call'), 'multipart/form-data') as { detail: string }).detail, /Content-Type: application\/json/)
    assert.equal(post(call('eth_call'), 'application/json; charset=utf-8').kind, 'priced')
    assert.equal(post(call('eth_call'), '').kind, 'priced')
  })

  test('a call with two method members (any case, any escape) is refused: the upstream might run the other one', () => {
    const text = (s: string) => new TextEncoder().encode(s)
    for (const body of [
      '{"method":"eth_sendRawTransaction","method":"eth_call"}',
      '{"METHOD":"eth_sendRawTransaction","method":"eth_call"}',
      '{"method":"eth_call","Method":"eth_sendRawTransaction"}',
      '{"m\\u0065thod":"eth_sendRawTransaction","method":"eth_call"}',
      '[{"method":"eth_call"},{"method":"eth_call","mEtHoD":"eth_sendRawTransaction"}]',
    ])
      assert.match((post(text(body)) as { detail: string }).detail, /more than one "method" member/, body)
    // Members named method deeper down (in params) are data, not the call's method.
    assert.equal(post(text('{"method":"eth_call","params":[{"method":"x","METHOD":"y"}]}')).kind, 'priced')
    assert.equal(post(text('[{"params":{"method":1},"method":"eth_call"} , {"method":"eth_call"}]')).kind, 'priced')
  })

  test('rules come first; JSON-RPC prices only POSTs no rule matched; other methods cost the link default', () => {
    assert.deepEqual(priceRequest(ethereum, { method: 'GET', path: '/health' }), { kind: 'free' })
    assert.equal((priceRequest(ethereum, { method: 'GET', path: '/' }) as { label: string }).label, 'GET (default price)')
  })

  test('a batch costing more than the largest payment is refused, not rounded', () => {
    const table: PriceTable = { ...pricing({ jsonRpc: { methods: { big: '600000' } } }), defaultPrice: Money.parseUsd('1') }
    assert.equal(priceRequest(table, { method: 'POST', path: '/', body: json([call('big')]) }).kind, 'priced')
    assert.match(
      (priceRequest(table, { method: 'POST', path: '/', body: json([call('big'), call('big')]) }) as { detail: string }).detail,
      /more than the largest payment/,
    )
  })
})

describe('parseServicePricing', () => {
  test('accepts and canonicalises: prices, upper-case methods, default settle "before"', () => {
    assert.deepEqual(pricing({ rules: [{ method: 'post', path: '/v1/x', price: '0.50' }] }), {
      rules: [{ method: 'POST', path: '/v1/x', price: '0.5' }],
      jsonRpc: null,
      settle: 'before',
    })
    assert.deepEqual(pricing({}), { rules: [], jsonRpc: null, settle: 'before' })
    assert.deepEqual(pricing({ settle: 'after-success', jsonRpc: { methods: {}, default: '0.010' } }), {
      rules: [],
      jsonRpc: { methods: {}, default: '0.01' },
      settle: 'after-success',
    })
  })

  test('messages name the rule and what is wrong', () => {
    const found = issues({
      rules: [
        { method: 'POST', path: '/v1/chat/completions', price: 0.02 },
        { method: 'FETCH', path: '/v1', price: '1' },
        { method: 'GET', path: 'v1/models', price: '1' },
        { method: 'GET', path: '/v1', price: '-1' },
        { method: 'GET', path: '/v2', price: 'free', settle: 'after-success' },
        { method: 'GET', path: '/v3', price: '1', settle: 'later' },
        { method: 'GET', path: '/v4', price: '1', extra: true },
        'GET /v1 1',
      ],
    })
    assert.deepEqual(found, [
      'rules.0.price: rule 1 (POST /v1/chat/completions): price must be a string such as "0.02" (quoted) or "free"',
      'rules.1.method: rule 2 (FETCH /v1): method must be GET, HEAD, POST, PUT, PATCH, DELETE or * (any)',
      'rules.2.path: rule 3 (GET v1/models): the path must start with "/" (write /v1/models)',
      'rules.3.price: rule 4 (GET /v1): price must be a plain decimal number of dollars such as "0.01" or "12.50" (digits and one optional point; no sign, spaces, exponent or leading zeros), or "free"',
      'rules.4.settle: rule 5 (GET /v2): a free route settles nothing; remove its settle mode',
      'rules.5.settle: rule 6 (GET /v3): settle must be "before" or "after-success"',
      'rules.6.extra: rule 7 (GET /v4): unknown field "extra" (expected method, path, price, settle)',
      'rules.7: rule 8 must be an object with method, path and price',
    ])
  })

  test('a rule that can never apply is refused, naming the rule that hides it', () => {
    assert.deepEqual(
      issues({
        rules: [
          { method: '*', path: '/v1/**', price: '1' },
          { method: 'POST', path: '/v1/chat/completions', price: '2' },
        ],
      }),
      [
        'rules.1: rule 2 (POST /v1/chat/completions) never applies: rule 1 (* /v1/**) matches every request it would; move it above or remove it',
      ],
    )
    assert.equal(
      issues({
        rules: [
          { method: 'GET', path: '/a/*', price: '1' },
          { method: 'HEAD', path: '/a/b', price: '2' },
        ],
      }).length,
      1,
    )
    // Overlap is fine when the later rule still catches something.
    pricing({
      rules: [
        { method: 'GET', path: '/v1/*', price: '1' },
        { method: '*', path: '/v1/**', price: '2' },
      ],
    })
    pricing({
      rules: [
        { method: 'HEAD', path: '/a', price: '1' },
        { method: 'GET', path: '/a', price: '2' },
      ],
    })
  })

  test('JSON-RPC tables: names, prices, and a rule that would hide them all', () => {
    assert.deepEqual(issues({ jsonRpc: { methods: { 'eth call': '1', __proto__x: '1', ok: 'x' } } }), [
      'jsonRpc.methods.eth call: "eth call" is not a JSON-RPC method name (1 to 128 of letters, digits and _.:/-)',
      'jsonRpc.methods.ok: JSON-RPC method ok: price must be a plain decimal number of dollars such as "0.01" or "12.50" (digits and one optional point; no sign, spaces, exponent or leading zeros), or "free"',
    ])
    assert.match(issues(JSON.parse('{"jsonRpc":{"methods":{"__proto__":"1"}}}'))[0]!, /"__proto__" is not a JSON-RPC method name/)
    assert.match(issues({ jsonRpc: { methods: {} } })[0]!, /price at least one JSON-RPC method, or set a JSON-RPC default price/)
    assert.match(issues({ jsonRpc: 'eth_call' })[0]!, /jsonRpc must be an object/)
    assert.match(
      issues({ rules: [{ method: '*', path: '/**', price: '1' }], jsonRpc: { methods: { eth_call: '1' } } })[0]!,
      /JSON-RPC prices never apply: rule 1 \(\* \/\*\*\) prices every POST request first/,
    )
    assert.equal(issues({ jsonRpc: { methods: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`m${i}`, '1'])) } }).length, 1)
  })

  test('limits and shapes', () => {
    assert.match(
      issues({ rules: Array.from({ length: 101 }, (_, i) => ({ method: 'GET', path: `/r${i}`, price: '1' })) })[0]!,
      /at most 100 rules/,
    )
    assert.match(issues('rules')[0]!, /pricing must be an object/)
    assert.match(issues({ rules: {} })[0]!, /rules must be a list/)
    assert.match(issues({ settle: 'sometimes' })[0]!, /settle must be "before" or "after-success"/)
    assert.match(issues({ default: '1' })[0]!, /unknown pricing field "default"/)
  })

  test('the zod schema reports the same issues at the same paths', () => {
    const result = ServicePricingSchema.safeParse({ rules: [{ method: 'GET', path: '/a', price: 'x' }] })
    assert.ok(!result.success)
    assert.deepEqual(result.error.issues[0]!.path, ['rules', 0, 'price'])
    assert.match(result.error.issues[0]!.message, /^rule 1 \(GET \/a\): price must be/)
    assert.deepEqual(ServicePricingSchema.parse({ rules: [] }), { rules: [], jsonRpc: null, settle: 'before' })
  })
})

describe('listPricedOperations', () => {
  test('each rule is an operation with its price and settle mode; JSON-RPC methods and the default are listed', () => {
    const listed = listPricedOperations(openAi)
    assert.deepEqual(listed.operations[0], {
      method: 'POST',
      path: '/v1/chat/completions',
      openApiPath: '/v1/chat/completions',
      openApiMethods: ['post'],
      price: '0.02',
      settle: 'after-success',
      summary: 'POST /v1/chat/completions: $0.02',
    })
    assert.deepEqual(listed.operations[1]!.settle, null)
    assert.equal(listed.operations[2]!.openApiPath, '/v1/models/{segment1}')
    assert.equal(listed.defaultPrice, '0.001')
    assert.equal(listed.jsonRpc, null)
    const rpc = listPricedOperations(ethereum)
    assert.deepEqual(rpc.jsonRpc, {
      methods: [
        { name: 'eth_call', price: '0.0001' },
        { name: 'eth_sendRawTransaction', price: '0.01' },
        { name: 'eth_chainId', price: 'free' },
      ],
      defaultPrice: '0.00005',
      settle: 'before',
    })
    const any = listPricedOperations({ ...pricing({ rules: [{ method: '*', path: '/**', price: '1' }] }), defaultPrice: 'free' })
    assert.deepEqual(any.operations[0]!.openApiMethods, ['get', 'head', 'post', 'put', 'patch', 'delete'])
    assert.equal(any.operations[0]!.summary, 'Any method /**: $1')
  })
})
