import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as Jcs from './Jcs'

/** An IEEE 754 double from its 64-bit pattern, as RFC 8785 Appendix B lists them. */
function double(hex: string): number {
  const view = new DataView(new ArrayBuffer(8))
  view.setBigUint64(0, BigInt(`0x${hex}`))
  return view.getFloat64(0)
}

describe('Jcs.canonicalize', () => {
  test('RFC 8785 §3.2.2 example', () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`
    const expected = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`
    assert.equal(Jcs.canonicalize(JSON.parse(input)), expected)
  })

  test('RFC 8785 §3.2.3 member order: UTF-16 code units, so U+1F600 (surrogates) sorts before U+FB33', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    }
    assert.equal(
      Jcs.canonicalize(input),
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    )
  })

  test('RFC 8785 Appendix B number serialization', () => {
    const vectors: Array<[string, string]> = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ]
    for (const [bits, expected] of vectors) assert.equal(Jcs.canonicalize(double(bits)), expected, bits)
  })

  test('number edge cases', () => {
    assert.equal(Jcs.canonicalize(-0), '0')
    assert.equal(Jcs.canonicalize(0.1), '0.1')
    assert.equal(Jcs.canonicalize(1e21), '1e+21')
    assert.equal(Jcs.canonicalize(1e20), '100000000000000000000')
    assert.equal(Jcs.canonicalize(1e-7), '1e-7')
    assert.equal(Jcs.canonicalize(0.000001), '0.000001')
    assert.equal(Jcs.canonicalize([-0, 0.1 + 0.2]), '[0,0.30000000000000004]')
  })

  test('rejects NaN and infinities (RFC 8785 Appendix B)', () => {
    for (const value of [NaN, Infinity, -Infinity, double('7fffffffffffffff'), double('7ff0000000000000')])
      assert.throws(() => Jcs.canonicalize({ a: value }), Jcs.CanonicalizationError)
  })

  test('string escaping matches JSON.stringify; lone surrogates are rejected', () => {
    assert.equal(Jcs.canonicalize('\u0000\u001f\u007f\u2028"\\/'), '"\\u0000\\u001f\u007f\u2028\\"\\\\/"')
    assert.equal(Jcs.canonicalize('\t\b\f\n\r'), '"\\t\\b\\f\\n\\r"')
    assert.throws(() => Jcs.canonicalize('\ud800'), Jcs.CanonicalizationError)
    assert.throws(() => Jcs.canonicalize({ '\udc00x': 1 }), Jcs.CanonicalizationError)
    assert.equal(Jcs.canonicalize('\ud83d\ude00'), '"😀"')
  })

  test('nested objects sort at every level; arrays keep order; undefined members are dropped', () => {
    assert.equal(
      Jcs.canonicalize({ b: { z: 1, a: [3, { y: 2, x: 1 }] }, a: undefined, c: null }),
      '{"b":{"a":[3,{"x":1,"y":2}],"z":1},"c":null}',
    )
    assert.equal(Jcs.canonicalize([undefined, 1]), '[null,1]')
    assert.equal(Jcs.canonicalize({}), '{}')
    assert.equal(Jcs.canonicalize([]), '[]')
  })

  test('sorting is by code unit, not locale: uppercase before lowercase, "10" before "9"', () => {
    assert.equal(Jcs.canonicalize({ b: 1, B: 2, a: 3, '9': 4, '10': 5 }), '{"10":5,"9":4,"B":2,"a":3,"b":1}')
  })

  test('keys like __proto__ from JSON.parse are ordinary members', () => {
    assert.equal(Jcs.canonicalize(JSON.parse('{"__proto__":{"x":1},"a":1}')), '{"__proto__":{"x":1},"a":1}')
  })

  test('toJSON is honoured (Dates), bigint and functions and cycles are rejected', () => {
    assert.equal(Jcs.canonicalize({ at: new Date('2025-01-15T12:00:00Z') }), '{"at":"2025-01-15T12:00:00.000Z"}')
    assert.throws(() => Jcs.canonicalize({ a: 1n }), Jcs.CanonicalizationError)
    assert.throws(() => Jcs.canonicalize(() => 1), Jcs.CanonicalizationError)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    assert.throws(() => Jcs.canonicalize(cyclic), Jcs.CanonicalizationError)
    const shared = { x: 1 }
    assert.equal(Jcs.canonicalize({ a: shared, b: shared }), '{"a":{"x":1},"b":{"x":1}}')
  })

  test('output parses back to an equal value', () => {
    const value = { amount: '1000', methodDetails: { chainId: 8453, splits: [{ recipient: '0xabc', amount: '1' }] }, flag: false }
    assert.deepEqual(JSON.parse(Jcs.canonicalize(value)), value)
  })
})
