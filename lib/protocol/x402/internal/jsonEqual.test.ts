import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { jsonEqual } from './jsonEqual'

describe('jsonEqual', () => {
  test('ignores key order and undefined-valued keys', () => {
    assert.equal(jsonEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }), true)
    assert.equal(jsonEqual({ a: 1, b: undefined }, { a: 1 }), true)
  })

  test('tells apart values, types, array order and extra keys', () => {
    const pairs: Array<[unknown, unknown]> = [
      [{ a: 1 }, { a: '1' }],
      [{ a: [1, 2] }, { a: [2, 1] }],
      [{ a: 1 }, { a: 1, b: 2 }],
      [[], {}],
      [{ 0: 'x' }, ['x']],
      [null, {}],
      [null, undefined],
      [{ a: null }, {}],
      [Number.NaN, Number.NaN],
    ]
    for (const [left, right] of pairs) {
      assert.equal(jsonEqual(left, right), false, JSON.stringify([left, right]))
      assert.equal(jsonEqual(right, left), false, JSON.stringify([right, left]))
    }
  })
})
