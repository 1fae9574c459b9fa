import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { parseServicePricing } from './price-rules'
import { formatJsonRpcLines, formatRuleLines, lineOfIssue, parseJsonRpcLines, parseRuleLines } from './rule-lines'

const text = `# METHOD PATH PRICE [SETTLE]
POST /v1/chat/completions  $0.02  after-success
GET  /v1/models            free   # listing is free

*    /**                   0.001
`

test('rule lines become the API rules, each remembering its line', () => {
  const parsed = parseRuleLines(text)
  assert.deepEqual(parsed.rules, [
    { method: 'POST', path: '/v1/chat/completions', price: '0.02', settle: 'after-success' },
    { method: 'GET', path: '/v1/models', price: 'free' },
    { method: '*', path: '/**', price: '0.001' },
  ])
  assert.deepEqual(parsed.lineOf, [2, 3, 5])
  assert.deepEqual(parsed.issues, [])
})

test('lines of the wrong shape say how to write them', () => {
  assert.deepEqual(parseRuleLines('GET /a\nPOST /b 1 after-success extra').issues, [
    { line: 1, message: 'line 1: write METHOD PATH PRICE, then optionally after-success (e.g. POST /v1/chat/completions 0.02)' },
    { line: 2, message: 'line 2: write METHOD PATH PRICE, then optionally after-success (e.g. POST /v1/chat/completions 0.02)' },
  ])
  const rpc = parseJsonRpcLines('eth_call 0.0001\neth_call 0.0002\n* 0.00001\nbad\n* 1')
  assert.deepEqual(rpc.jsonRpc, { methods: { eth_call: '0.0001' }, default: '0.00001' })
  assert.deepEqual(
    rpc.issues.map((i) => i.message),
    [
      'line 2: eth_call is already priced on line 1',
      'line 4: write a method name and its price (e.g. eth_call 0.0001), or * and the price of every other method',
      'line 5: the default is already priced on line 3',
    ],
  )
  assert.equal(parseJsonRpcLines('  # nothing priced\n').jsonRpc, null)
})

test("the API's issues land on the line they came from", () => {
  const rules = parseRuleLines('GET /a 1\n\nPOST /b nope')
  const rpc = parseJsonRpcLines('eth_call x\n* y')
  const parsed = parseServicePricing({ rules: rules.rules, jsonRpc: rpc.jsonRpc })
  assert.ok(!parsed.ok)
  assert.deepEqual(
    parsed.issues.map((issue) => lineOfIssue(issue.path, rules, rpc)),
    [
      { box: 'rules', line: 3 },
      { box: 'jsonRpc', line: 1 },
      { box: 'jsonRpc', line: 2 },
    ],
  )
  assert.equal(lineOfIssue(['settle'], rules, rpc), null)
})

test('formatting and parsing again gives the same pricing', () => {
  const parsed = parseServicePricing({
    rules: parseRuleLines(text.replace('*    /**', 'GET  /**')).rules,
    jsonRpc: parseJsonRpcLines('eth_call 0.0001\neth_sendRawTransaction 0.01\n* free').jsonRpc,
  })
  assert.ok(parsed.ok)
  const { rules, jsonRpc } = parsed.pricing
  assert.equal(
    formatRuleLines(rules),
    'POST /v1/chat/completions 0.02  after-success\nGET  /v1/models           free\nGET  /**                  0.001',
  )
  assert.equal(formatJsonRpcLines(jsonRpc), 'eth_call               0.0001\neth_sendRawTransaction 0.01\n*                      free')
  const again = parseServicePricing({
    rules: parseRuleLines(formatRuleLines(rules)).rules,
    jsonRpc: parseJsonRpcLines(formatJsonRpcLines(jsonRpc)).jsonRpc,
  })
  assert.deepEqual(again, parsed)
})

test('any text parses to rules and issues without throwing', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (input) => {
      const rules = parseRuleLines(input)
      assert.equal(rules.rules.length, rules.lineOf.length)
      const rpc = parseJsonRpcLines(input)
      for (const issue of [...rules.issues, ...rpc.issues]) assert.ok(issue.line >= 1)
      const parsed = parseServicePricing({ rules: rules.rules, jsonRpc: rpc.jsonRpc })
      if (!parsed.ok) for (const issue of parsed.issues) lineOfIssue(issue.path, rules, rpc)
    }),
    { numRuns: 2000 },
  )
})
