import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as Base64Url from './Base64Url'

const bytes = (...values: number[]) => new Uint8Array(values)

describe('Base64Url.encode', () => {
  test('RFC 4648 §10 vectors, URL alphabet, no padding', () => {
    const vectors: Array<[string, string]> = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ]
    for (const [text, encoded] of vectors) assert.equal(Base64Url.encode(text), encoded)
  })

  test('uses - and _ where base64 has + and /', () => {
    assert.equal(Base64Url.encode(bytes(0xfb, 0xff, 0xbf)), '-_-_')
    assert.equal(Base64Url.encode(bytes(0xfb, 0xff)), '-_8')
  })

  test('strings are encoded as UTF-8', () => {
    assert.equal(Base64Url.encode('€'), '4oKs')
    assert.equal(Base64Url.encode('😀'), '8J-YgA')
  })

  test('agrees with Buffer for every length up to 64', () => {
    for (let n = 0; n <= 64; n++) {
      const input = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff)
      assert.equal(Base64Url.encode(input), Buffer.from(input).toString('base64url'))
    }
  })
})

describe('Base64Url.decode', () => {
  test('round-trips', () => {
    for (let n = 0; n <= 64; n++) {
      const input = Uint8Array.from({ length: n }, (_, i) => (i * 91 + 3) & 0xff)
      assert.deepEqual(Base64Url.decode(Base64Url.encode(input)), input)
    }
  })

  test('accepts missing padding and exact padding', () => {
    assert.deepEqual(Base64Url.decode('Zg'), bytes(0x66))
    assert.deepEqual(Base64Url.decode('Zg=='), bytes(0x66))
    assert.deepEqual(Base64Url.decode('Zm8='), bytes(0x66, 0x6f))
  })

  test('rejects characters outside the URL-safe alphabet', () => {
    for (const bad of ['Zm9v+g', 'Zm9v/g', 'Zm 9v', 'Zm9v\n', 'Zm9%', 'Zé', 'Z\u0000'])
      assert.throws(() => Base64Url.decode(bad), Base64Url.InvalidBase64UrlError, bad)
  })

  test('rejects wrong padding and impossible lengths', () => {
    for (const bad of ['Zg=', 'Zg===', 'Zm8==', '=', 'Z', 'Zm9vY', 'Zg==Zg', 'Z=g='])
      assert.throws(() => Base64Url.decode(bad), Base64Url.InvalidBase64UrlError, bad)
  })

  test('rejects non-canonical trailing bits', () => {
    assert.deepEqual(Base64Url.decode('QQ'), bytes(0x41))
    assert.throws(() => Base64Url.decode('QR'), /non-canonical/)
    assert.throws(() => Base64Url.decode('QUF'), /non-canonical/)
    assert.deepEqual(Base64Url.decode('QUE'), bytes(0x41, 0x41))
  })
})

describe('Base64Url.decodeString / decodeJson', () => {
  test('decodes UTF-8 text', () => {
    assert.equal(Base64Url.decodeString('4oKs'), '€')
  })

  test('rejects bytes that are not UTF-8', () => {
    assert.throws(() => Base64Url.decodeString(Base64Url.encode(bytes(0xff, 0xfe))), /not UTF-8/)
    assert.throws(() => Base64Url.decodeString(Base64Url.encode(bytes(0xed, 0xa0, 0x80))), /not UTF-8/)
  })

  test('decodes JSON and rejects non-JSON', () => {
    assert.deepEqual(Base64Url.decodeJson(Base64Url.encode('{"a":[1,"x"]}')), { a: [1, 'x'] })
    assert.throws(
      () => Base64Url.decodeJson(Base64Url.encode('{a:1}')),
      (e: unknown) => e instanceof Base64Url.InvalidBase64UrlError && /not JSON/.test(e.message),
    )
  })
})
