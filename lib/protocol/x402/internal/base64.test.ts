import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as Base64 from './base64'

describe('base64', () => {
  test('encodes UTF-8 with the standard alphabet and padding, like Buffer does', () => {
    for (const text of ['', 'a', 'ab', 'abc', '{"é":"ÿ?>~"}', '😀 tollgate'])
      assert.equal(Base64.encode(text), Buffer.from(text, 'utf8').toString('base64'))
  })

  test('decodes padded and unpadded input back to the text', () => {
    for (const text of ['a', 'ab', 'abc', '{"é":"ÿ?>~"}']) {
      const encoded = Base64.encode(text)
      assert.equal(Base64.decode(encoded), text)
      assert.equal(Base64.decode(encoded.replace(/=+$/, '')), text)
    }
  })

  test('refuses what is not strictly base64 of UTF-8', () => {
    for (const value of ['a', 'abcde', 'ab=c', 'ab===', 'a b c d', 'ab-_', 'YQ==YQ==', Buffer.from([0xc3]).toString('base64')])
      assert.equal(Base64.decode(value), undefined, value)
  })
})
