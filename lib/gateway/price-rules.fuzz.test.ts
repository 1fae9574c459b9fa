import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import * as Money from '@/lib/money'
import { methodMemberCounts, readJsonRpcCalls } from './internal/json-rpc-calls'
import { parseServicePricing, priceRequest, type PriceTable } from './price-rules'

const mostly = <T, U>(plausible: fc.Arbitrary<T>, messy: fc.Arbitrary<U>) =>
  fc.oneof({ arbitrary: plausible, weight: 8 }, { arbitrary: messy, weight: 1 })
const price = mostly(fc.oneof(fc.constant('free'), fc.stringMatching(/^(0|[1-9][0-9]{0,3})\.[0-9]{1,6}$/)), fc.anything())
const method = mostly(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', '*', 'get'), fc.string())
const path = mostly(
  fc.array(fc.constantFrom('v1', 'models', '*', '**', 'chat', 'A'), { maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
  fc.string(),
)
const rule = mostly(
  fc.record(
    { method, path, price, settle: fc.constantFrom('before', 'after-success', undefined) },
    { requiredKeys: ['method', 'path', 'price'] },
  ),
  fc.anything(),
)
const rpcName = fc.constantFrom('eth_call', 'eth_blockNumber', 'eth_sendRawTransaction', 'getSlot', 'x')
const pricingInput = mostly(
  fc.record(
    {
      rules: mostly(fc.array(rule, { maxLength: 6 }), fc.anything()),
      jsonRpc: mostly(
        fc.record({ methods: fc.dictionary(rpcName, price, { maxKeys: 4 }), default: price }, { requiredKeys: ['methods'] }),
        fc.anything(),
      ),
      settle: fc.constantFrom('before', 'after-success'),
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
)

test('parseServicePricing: any input is a canonical pricing or a list of issues with messages, never a throw', () => {
  let accepted = 0
  fc.assert(
    fc.property(pricingInput, (input) => {
      const parsed = parseServicePricing(input)
      if (!parsed.ok) {
        assert.ok(parsed.issues.length > 0)
        for (const issue of parsed.issues) assert.ok(issue.message.length > 5 && !/[\n\r]/.test(issue.message))
        return
      }
      accepted++
      assert.deepEqual(parseServicePricing(JSON.parse(JSON.stringify(parsed.pricing))), parsed, 'stored pricing parses to itself')
    }),
    { numRuns: 3000 },
  )
  assert.ok(accepted > 300, `only ${accepted} pricings were accepted`)
})

// Tables that are mostly valid, to price many requests against.
const plausibleRule = fc.record(
  {
    method: fc.constantFrom('GET', 'POST', 'DELETE', '*'),
    path: fc.array(fc.constantFrom('v1', 'models', '*', 'chat', 'A'), { maxLength: 3 }).map((parts) => `/${parts.join('/')}`),
    price: fc.oneof(
      fc.constant('free'),
      fc.stringMatching(/^0\.[0-9]{1,6}$/).filter((p) => !/^0\.0*$/.test(p)),
    ),
  },
  { requiredKeys: ['method', 'path', 'price'] },
)
const plausiblePricing = fc.record(
  {
    rules: fc.array(plausibleRule, { maxLength: 3 }),
    jsonRpc: fc.record({ methods: fc.dictionary(rpcName, fc.constantFrom('free', '0.0001', '0.02'), { minKeys: 1, maxKeys: 3 }) }),
  },
  { requiredKeys: ['rules'] },
)
const callObject = (name: string) => ({ jsonrpc: '2.0', id: 1, method: name, params: [] })
const request = fc.record({
  method: mostly(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'), fc.string()),
  path: mostly(
    fc.array(fc.constantFrom('v1', 'models', 'chat', '..', '%2e', '%2F', 'A', ''), { maxLength: 4 }).map((p) => `/${p.join('/')}`),
    fc.string(),
  ),
  body: fc.option(
    fc.oneof(
      fc.array(rpcName, { minLength: 1, maxLength: 5 }).map((names) => JSON.stringify(names.map(callObject))),
      rpcName.map((name) => JSON.stringify(callObject(name))),
      fc.json(),
      fc.string(),
    ),
    { nil: undefined },
  ),
})

test('priceRequest: never throws; a price is a valid amount, a refusal a 400 with a detail', () => {
  let priced = 0
  fc.assert(
    fc.property(
      fc.oneof(plausiblePricing, pricingInput),
      fc.oneof(fc.constant('free' as const), fc.constant(Money.parseUsd('0.001'))),
      request,
      (input, defaultPrice, req) => {
        const parsed = parseServicePricing(input)
        if (!parsed.ok) return
        const table: PriceTable = { ...parsed.pricing, defaultPrice }
        const decision = priceRequest(table, { ...req, body: req.body === undefined ? null : new TextEncoder().encode(req.body) })
        if (decision.kind === 'priced') {
          priced++
          assert.ok(Money.isUsd(decision.priceUsd))
          assert.ok(decision.settle === 'before' || decision.settle === 'after-success')
          assert.ok(decision.label.length > 0 && decision.label.length < 300)
        } else if (decision.kind === 'invalid') {
          assert.equal(decision.status, 400)
          assert.ok(decision.detail.length > 10)
        }
      },
    ),
    { numRuns: 3000 },
  )
  assert.ok(priced > 300, `only ${priced} requests were priced`)
})

test('a JSON-RPC batch costs exactly the sum of its calls sent one by one', () => {
  const table: PriceTable = {
    rules: [],
    jsonRpc: {
      methods: { eth_call: Money.parseUsd('0.000001'), eth_blockNumber: Money.parseUsd('0.1'), x: 'free' },
      default: Money.parseUsd('0.3'),
    },
    settle: 'before',
    defaultPrice: Money.parseUsd('1'),
  }
  const micros = (names: string[]) => {
    const decision = priceRequest(table, {
      method: 'POST',
      path: '/',
      body: new TextEncoder().encode(JSON.stringify(names.map(callObject))),
    })
    return decision.kind === 'priced' ? Money.usdToBaseUnits(decision.priceUsd, 6) : decision.kind === 'free' ? 0n : null
  }
  fc.assert(
    fc.property(fc.array(rpcName, { minLength: 1, maxLength: 40 }), (names) => {
      const sum = names.reduce((total, name) => total + micros([name])!, 0n)
      assert.equal(micros(names), sum)
    }),
    { numRuns: 1000 },
  )
})

// A call object written by hand, so member names can repeat and be spelled with escapes.
const memberName = fc.constantFrom(
  '"method"',
  '"METHOD"',
  '"Method"',
  '"m\\u0065thod"',
  '"\\u006Dethod"',
  '"methods"',
  '"id"',
  '"params"',
  '"méthod"',
)
const memberValue = fc.oneof(
  fc.constantFrom('"eth_call"', '1', 'null', '[]', '{"method":"x","METHOD":"y"}', '"a\\"b"', '"}]{["'),
  fc.json({ maxDepth: 2 }),
)
const handWrittenCall = fc.array(fc.tuple(memberName, memberValue, fc.constantFrom('', ' ', '\n')), { maxLength: 5 }).map((members) => ({
  text: `{${members.map(([name, value, space]) => `${space}${name}${space}:${space}${value}`).join(',')}}`,
  methodMembers: members.filter(([name]) => (JSON.parse(name) as string).toLowerCase() === 'method').length,
}))

test('method members are counted per call, whatever their case, escapes, spacing or what sits in the values', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(handWrittenCall, fc.constantFrom({ text: '1', methodMembers: 0 }, { text: '[{"method":1}]', methodMembers: 0 })), {
        minLength: 1,
        maxLength: 4,
      }),
      fc.boolean(),
      (calls, single) => {
        const text = single ? calls[0]!.text : `[ ${calls.map((c) => c.text).join(' , ')} ]`
        const counts = methodMemberCounts(text)
        const expected = single ? [calls[0]!.methodMembers] : calls.map((c) => c.methodMembers)
        expected.forEach((n, i) => {
          if (calls[single ? 0 : i]!.text.startsWith('{')) assert.equal(counts[i], n, text)
        })
      },
    ),
    { numRuns: 3000 },
  )
})

test('readJsonRpcCalls: any bytes are calls or a detail, never a throw', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 64 }),
        fc.json().map((s) => new TextEncoder().encode(s)),
      ),
      (body) => {
        const result = readJsonRpcCalls(body, 10)
        if (result.ok) assert.ok(result.methods.length >= 1 && result.methods.length <= 10)
        else assert.ok(result.detail.length > 10)
      },
    ),
    { numRuns: 3000 },
  )
})
