import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import * as Base64Url from './Base64Url'

const numRuns = 2000

/** Runs `parse` and lets only `ErrorClass` through; any other throw fails the property. */
function returnsOrThrows<T>(parse: () => T, ErrorClass: new (...args: never[]) => Error): T | undefined {
  try {
    return parse()
  } catch (error) {
    if (error instanceof ErrorClass) return undefined
    throw error
  }
}

const nearBase64 = fc.stringMatching(/^[A-Za-z0-9_\-=+/ ]{0,40}$/)
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), nearBase64)

test('decode: returns bytes or throws InvalidBase64UrlError; success is canonical', () => {
  fc.assert(
    fc.property(anyText, (text) => {
      const bytes = returnsOrThrows(() => Base64Url.decode(text), Base64Url.InvalidBase64UrlError)
      if (bytes !== undefined) assert.equal(Base64Url.encode(bytes), text.replace(/=+$/, ''))
    }),
    { numRuns },
  )
})

test('decodeString and decodeJson: value or InvalidBase64UrlError', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        anyText,
        fc.string({ unit: 'binary', maxLength: 40 }).map((s) => Base64Url.encode(s)),
        fc.uint8Array({ maxLength: 40 }).map((b) => Base64Url.encode(b)),
      ),
      (text) => {
        returnsOrThrows(() => Base64Url.decodeString(text), Base64Url.InvalidBase64UrlError)
        returnsOrThrows(() => Base64Url.decodeJson(text), Base64Url.InvalidBase64UrlError)
      },
    ),
    { numRuns },
  )
})

test('encode/decode round-trip for any bytes, matching Buffer', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
      const encoded = Base64Url.encode(bytes)
      assert.equal(encoded, Buffer.from(bytes).toString('base64url'))
      assert.deepEqual(Base64Url.decode(encoded), bytes)
    }),
    { numRuns },
  )
})
