import assert from 'node:assert/strict'
import { test } from 'node:test'
import { contentSecurityPolicy, inertHeaders } from './inert-response'
import { contentTypeEssence, isPassive } from './passive-types'

test('passive types are the ones a browser shows without running anything', () => {
  for (const type of ['text/plain; charset=utf-8', 'application/json', 'application/problem+json', 'image/png', 'video/mp4', 'TEXT/PLAIN'])
    assert.equal(isPassive(type), true, type)
  for (const type of [
    'text/html',
    'text/html; charset=utf-8',
    'application/xhtml+xml',
    'image/svg+xml',
    'text/xml',
    'application/xml',
    'text/javascript',
    'application/javascript',
    'application/pdf',
    'text/css',
    'multipart/x-mixed-replace; boundary=x',
    'application/octet-stream',
    'nonsense',
    '',
    null,
    undefined,
  ])
    assert.equal(isPassive(type), false, String(type))
  assert.equal(contentTypeEssence(' Text/Plain ; charset=utf-8'), 'text/plain')
  assert.equal(contentTypeEssence('text/plain/extra'), null)
})

test('every delivery is sandboxed and never sniffed; active and unknown types are attachments', () => {
  const json = inertHeaders({ contentType: 'application/json; charset=utf-8', fileName: 'fortune' })
  assert.equal(json.get('content-security-policy'), "sandbox; default-src 'none'")
  assert.equal(contentSecurityPolicy, "sandbox; default-src 'none'")
  assert.equal(json.get('x-content-type-options'), 'nosniff')
  assert.equal(json.get('content-type'), 'application/json; charset=utf-8')
  assert.equal(json.get('content-disposition'), null)

  const html = inertHeaders({ contentType: 'text/html', fileName: 'quote' })
  assert.equal(html.get('content-type'), 'text/html')
  assert.equal(html.get('content-disposition'), 'attachment; filename="quote.html"')
  assert.equal(
    inertHeaders({ contentType: 'image/svg+xml', fileName: 'logo' }).get('content-disposition'),
    'attachment; filename="logo.svg"',
  )

  const untyped = inertHeaders({ contentType: null, fileName: 'blob' })
  assert.equal(untyped.get('content-type'), 'application/octet-stream')
  assert.equal(untyped.get('content-disposition'), 'attachment; filename="blob"')
  assert.equal(inertHeaders({ contentType: 'text/html\r\nset-cookie: x=1', fileName: 'x' }).get('content-type'), 'application/octet-stream')

  // Stored files are always downloads under their own name.
  const file = inertHeaders({ contentType: 'image/png', fileName: 'cat.png', attachment: true })
  assert.equal(file.get('content-disposition'), 'attachment; filename="cat.png"')
})

test("an upstream's headers pass only when they describe the bytes", () => {
  const upstream = new Headers({
    'content-type': 'text/plain',
    'content-language': 'en',
    etag: '"v1"',
    'last-modified': 'Wed, 02 Dec 2026 10:00:00 GMT',
    'retry-after': '5',
    'set-cookie': 'session=stolen; Path=/',
    'content-security-policy': "script-src 'unsafe-inline'",
    'access-control-allow-origin': '*',
    'access-control-allow-credentials': 'true',
    refresh: '0; url=https://evil.example/',
    link: '<https://evil.example/x.css>; rel=stylesheet',
    location: 'https://evil.example/',
    'x-frame-options': 'ALLOWALL',
    'content-disposition': 'inline',
    'cache-control': 'public, max-age=31536000',
  })
  const headers = inertHeaders({ contentType: upstream.get('content-type'), fileName: 'x', upstream })
  assert.deepEqual([...headers.keys()].sort(), [
    'content-language',
    'content-security-policy',
    'content-type',
    'etag',
    'last-modified',
    'retry-after',
    'x-content-type-options',
  ])
  assert.equal(headers.get('content-security-policy'), "sandbox; default-src 'none'")
})
