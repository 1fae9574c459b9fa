import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { BodyTooLargeError, bodyTooLargeResponse, InvalidJsonBodyError, readBody, readJsonBody } from './read-body'

/** A body that never ends on its own: `pulled` counts the chunks the reader asked for. */
function endlessBody(chunkBytes: number): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulls = 0
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulls++
        controller.enqueue(new Uint8Array(chunkBytes))
      },
    },
    { highWaterMark: 0 },
  )
  return { stream, pulled: () => pulls }
}

const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request('http://test.invalid/x', { method: 'POST', body, headers, duplex: 'half' } as RequestInit)

describe('readBody', () => {
  test('reads a body up to and including the limit', async () => {
    assert.deepEqual(await readBody(post(new Uint8Array([1, 2, 3])), 3), new Uint8Array([1, 2, 3]))
    assert.deepEqual(await readBody(post(null), 0), new Uint8Array(0))
  })

  test('stops reading an endless stream just past the limit', async () => {
    const { stream, pulled } = endlessBody(1024)
    await assert.rejects(readBody(post(stream), 10 * 1024), (e) => e instanceof BodyTooLargeError && e.limitBytes === 10 * 1024)
    // Eleven chunks to cross 10 KB, plus at most the few the Request plumbing reads ahead.
    assert.ok(pulled() <= 14, `pulled ${pulled()} chunks of 1 KB for a 10 KB limit`)
  })

  test('refuses a declared Content-Length over the limit before reading anything', async () => {
    const { stream, pulled } = endlessBody(1024)
    await assert.rejects(readBody(post(stream, { 'content-length': '999999999' }), 1024), BodyTooLargeError)
    assert.equal(pulled(), 0)
  })

  test('a Content-Length it cannot believe is ignored, the stream still counted', async () => {
    await assert.rejects(readBody(post(new Uint8Array(20), { 'content-length': '1e3' }), 10), BodyTooLargeError)
    assert.equal((await readBody(post(new Uint8Array(5), { 'content-length': '-1' }), 10)).byteLength, 5)
  })
})

describe('readJsonBody', () => {
  test('parses JSON (a BOM is dropped) and refuses non-JSON as InvalidJsonBodyError', async () => {
    assert.deepEqual(await readJsonBody(post('{"a":1}'), 100), { a: 1 })
    assert.deepEqual(await readJsonBody(post('\ufeff[1]'), 100), [1])
    for (const body of ['', 'not json', '{"a":', new Uint8Array([0x7b, 0xff, 0x7d])])
      await assert.rejects(readJsonBody(post(body), 100), InvalidJsonBodyError)
  })

  test('a body over the limit is BodyTooLargeError, not a JSON error', async () => {
    await assert.rejects(readJsonBody(post(JSON.stringify({ text: 'x'.repeat(200) })), 100), BodyTooLargeError)
  })
})

describe('bodyTooLargeResponse', () => {
  test('413 problem+json that names the limit', async () => {
    const response = bodyTooLargeResponse(new BodyTooLargeError(64 * 1024), { error: { code: 'body_too_large' } })
    assert.equal(response.status, 413)
    assert.equal(response.headers.get('content-type'), 'application/problem+json')
    const body = (await response.json()) as Record<string, unknown>
    assert.equal(body.status, 413)
    assert.equal(body.maxBytes, 65536)
    assert.match(String(body.detail), /at most 64 KB/)
    assert.deepEqual(body.error, { code: 'body_too_large' })
  })
})
