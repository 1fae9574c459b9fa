import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, test } from 'node:test'
import * as Digest from './Digest'

describe('Digest', () => {
  test('the spec example digest is RFC 9530\'s example: sha-256 of {"hello": "world"}', async () => {
    assert.equal(await Digest.compute('{"hello": "world"}'), 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:')
    assert.equal(await Digest.verify('sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:', '{"hello": "world"}'), true)
    assert.equal(await Digest.verify('sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:', '{"hello":"world"}'), false)
  })

  test('{"hello": "world"} plus newline, sha-256 and sha-512', async () => {
    const body = '{"hello": "world"}\n'
    assert.equal(await Digest.compute(body), 'sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:')
    assert.equal(
      await Digest.compute(body, 'sha-512'),
      'sha-512=:YMAam51Jz/jOATT6/zvHrLVgOYTGFy1d6GJiOHTohq4yP+pgk4vf2aCsyRZOtw8MjkM7iw7yZ/WkppmM44T3qg==:',
    )
  })

  test('bytes, ArrayBuffer and string bodies agree with node:crypto', async () => {
    const bytes = new TextEncoder().encode('päyload')
    const expected = `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`
    assert.equal(await Digest.compute(bytes), expected)
    assert.equal(await Digest.compute(bytes.slice().buffer), expected)
    assert.equal(await Digest.compute('päyload'), expected)
    assert.equal(await Digest.compute(new Uint8Array()), 'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:')
  })

  test('verify rejects another body, wrong lengths, and unsupported-only fields', async () => {
    const digest = await Digest.compute('a')
    assert.equal(await Digest.verify(digest, 'b'), false)
    assert.equal(await Digest.verify('sha-256=:AAAA:', 'a'), false)
    assert.equal(await Digest.verify('md5=:DMF1ucDxtqgxw5niaXcmYQ==:', 'a'), false)
    assert.equal(await Digest.verify('garbage', 'a'), false)
  })

  test('verify checks every supported member and ignores unknown ones', async () => {
    const body = 'x'
    const sha256 = await Digest.compute(body)
    const sha512 = await Digest.compute(body, 'sha-512')
    assert.equal(await Digest.verify(`${sha256}, unixsum=:AAAA:`, body), true)
    assert.equal(await Digest.verify(`${sha256}, ${sha512}`, body), true)
    assert.equal(await Digest.verify(`${sha256}, ${await Digest.compute('y', 'sha-512')}`, body), false)
  })

  test('parse accepts missing padding and rejects non-dictionary text', () => {
    assert.equal(Digest.parse('sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE:').get('sha-256')?.length, 32)
    for (const bad of [
      '',
      'sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=',
      'sha-256=:X48E9q-_:',
      'SHA-256=:AA==:',
      'sha-256=:AA==:',
      'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:;p=1',
      'sha-256',
    ])
      assert.throws(() => Digest.parse(bad), Digest.MalformedDigestError, bad)
  })
})
