import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkServiceDraft, exampleRules, initialServiceDraft, previewPrice, type ServiceDraft } from './service-draft'

const draft = (extra: Partial<ServiceDraft> = {}): ServiceDraft => ({
  ...initialServiceDraft(null),
  upstreamUrl: ' https://api.example.com/v1 ',
  ...extra,
})

test('a new draft starts from the example rules and becomes the API input', () => {
  const check = checkServiceDraft(draft({ secretValue: ' Bearer sk-1 ', forwardHeadersText: 'anthropic-version, openai-beta' }), null)
  assert.deepEqual(check.resource, {
    kind: 'service',
    upstreamUrl: 'https://api.example.com/v1',
    pricing: {
      rules: [
        { method: 'POST', path: '/v1/chat/completions', price: '0.02', settle: 'after-success' },
        { method: 'GET', path: '/v1/models', price: 'free' },
      ],
      jsonRpc: null,
      settle: 'before',
    },
    timeoutSeconds: 30,
    forwardHeaders: ['anthropic-version', 'openai-beta'],
    secretHeader: { name: 'Authorization', value: 'Bearer sk-1' },
  })
  assert.deepEqual([check.ruleIssues, check.jsonRpcIssues, check.pricingIssues], [[], [], []])
  assert.ok(check.table)
  assert.match(exampleRules, /^# METHOD PATH PRICE/)
})

test('the secret is sent only when typed: kept (by name) when stored, removed on request, absent otherwise', () => {
  const stored = { name: 'X-Api-Key', hint: '••••abcd' }
  assert.deepEqual(checkServiceDraft(draft({ secretName: 'X-Key' }), stored).resource.secretHeader, { name: 'X-Key' })
  assert.equal(checkServiceDraft(draft({ removeSecret: true, secretValue: 'x' }), stored).resource.secretHeader, null)
  assert.equal(checkServiceDraft(draft(), null).resource.secretHeader, null)
  const edited = initialServiceDraft({
    kind: 'service',
    upstreamUrl: 'https://api.example.com',
    pricing: { rules: [], jsonRpc: { methods: { eth_call: '0.0001' as never }, settle: 'after-success' }, settle: 'before' },
    timeoutSeconds: 12,
    forwardHeaders: ['x-a'],
    secretHeader: stored,
  })
  assert.deepEqual(
    [edited.secretName, edited.secretValue, edited.timeoutSeconds, edited.jsonRpcText],
    ['X-Api-Key', '', '12', 'eth_call 0.0001'],
  )
  assert.deepEqual((checkServiceDraft(edited, stored).resource.pricing as { jsonRpc: unknown }).jsonRpc, {
    methods: { eth_call: '0.0001' },
    settle: 'after-success',
  })
})

test('issues are shown on the line they belong to, with the server rules; the preview waits for valid lines', () => {
  const check = checkServiceDraft(draft({ rulesText: 'GET /a 1\nPOST /b\n* /** 0.1\nGET /c 2', jsonRpcText: 'eth_call x' }), null, [
    { path: 'resource.pricing.rules.0.price', message: 'rule 1 (GET /a): card payments (stripe) need prices in whole cents, not $1' },
    { path: 'resource.upstreamUrl', message: 'not a pricing issue' },
  ])
  assert.deepEqual(
    check.ruleIssues.map((i) => i.message),
    [
      'line 1: rule 1 (GET /a): card payments (stripe) need prices in whole cents, not $1',
      'line 2: write METHOD PATH PRICE, then optionally after-success (e.g. POST /v1/chat/completions 0.02)',
      'line 4: rule 3 (GET /c) never applies: rule 2 (* /**) matches every request it would; move it above or remove it',
    ],
  )
  assert.deepEqual(
    check.jsonRpcIssues.map((i) => i.message),
    [
      'line 1: JSON-RPC method eth_call: price must be a plain decimal number of dollars such as "0.01" or "12.50" (digits and one optional point; no sign, spaces, exponent or leading zeros), or "free"',
    ],
  )
  assert.deepEqual(check.pricingIssues, [])
  assert.deepEqual(checkServiceDraft(draft({ rulesText: '* /** 1', jsonRpcText: 'eth_call 1' }), null).pricingIssues, [
    'JSON-RPC prices never apply: rule 1 (* /**) prices every POST request first (rules are checked before the JSON-RPC table)',
  ])
  assert.equal(check.table, null)
  assert.equal(
    previewPrice(check.table, '0.001', { method: 'GET', path: '/a', body: '' }),
    'Fix the pricing lines above to preview a price.',
  )
})

test('the preview prices a request the way the gateway will', () => {
  const { table } = checkServiceDraft(
    draft({ jsonRpcText: 'eth_call 0.0001\n* 0.00001', rulesText: exampleRules.replace('POST', 'PUT') }),
    null,
  )
  assert.equal(
    previewPrice(table, '0.001', { method: 'PUT', path: '/v1/chat/completions', body: '' }),
    '$0.02 (PUT /v1/chat/completions), charged only after a successful answer.',
  )
  assert.equal(previewPrice(table, '0.001', { method: 'GET', path: '/v1/models', body: '' }), 'Free: passes to the API without a payment.')
  assert.equal(
    previewPrice(table, '0.001', { method: 'GET', path: '/v1/other', body: '' }),
    '$0.001 (GET (default price)), charged before the call.',
  )
  assert.equal(
    previewPrice(table, '0.001', { method: 'POST', path: '/', body: '[{"method":"eth_call"},{"method":"eth_call"},{"method":"x"}]' }),
    '$0.00021 (jsonrpc eth_call×2 + x), charged before the call.',
  )
  assert.match(previewPrice(table, '0.001', { method: 'POST', path: '/', body: '[]' }), /^Refused with 400: .*the batch is empty/)
  assert.match(previewPrice(table, '0.001', { method: 'GET', path: '/../x', body: '' }), /^Refused with 400/)
  assert.match(previewPrice(table, 'abc', { method: 'GET', path: '/x', body: '' }), /Enter the link’s price/)
})
