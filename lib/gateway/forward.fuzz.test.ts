import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { InvalidUpstreamPathError, upstreamUrl } from './forward'
import { forwardedHeaderIssue, secretHeaderNameIssue, secretHeaderValueIssue } from './header-names'
import { relayedAcceptEncoding, upstreamRequestHeaders } from './upstream-headers'

const hostile = fc.constantFrom(
  '/',
  '/',
  '.',
  '..',
  '%2e',
  '%2E',
  '%2f',
  '%5c',
  '\\',
  '//',
  '@',
  ':',
  '?',
  '#',
  'evil.example',
  'a',
  '%00',
  '%',
  ' ',
)
const subpath = fc.oneof(
  { arbitrary: fc.array(hostile, { maxLength: 12 }).map((parts) => parts.join('')), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 60 }), weight: 1 },
)
const bases = ['https://api.example.com/v1', 'https://api.example.com/v1/', 'https://api.example.com', 'http://10.0.0.1:8080/a/b?key=k']

test('upstreamUrl: whatever the payer sends, the URL stays on the base origin, below the base path, or is refused', () => {
  fc.assert(
    fc.property(fc.constantFrom(...bases), subpath, fc.string({ maxLength: 20 }), (base, path, search) => {
      let url: URL
      try {
        url = upstreamUrl(base, path, search)
      } catch (error) {
        assert.ok(error instanceof InvalidUpstreamPathError, String(error))
        return
      }
      const parsedBase = new URL(base)
      const basePath = parsedBase.pathname.replace(/\/+$/, '')
      assert.equal(url.origin, parsedBase.origin)
      assert.ok(url.pathname === (basePath || '/') || url.pathname.startsWith(`${basePath}/`), url.pathname)
      assert.ok(!url.pathname.split('/').some((s) => s === '..' || s.toLowerCase() === '%2e%2e'))
      assert.equal(url.hash, '')
      // Sent as is: parsing the href again changes nothing (no dot segment left for a server to resolve).
      assert.equal(new URL(url.href).href, url.href)
      if (parsedBase.search) assert.ok(url.search.startsWith(parsedBase.search))
    }),
    { numRuns: 5000 },
  )
})

const headerName = fc.oneof(
  fc.constantFrom(
    'authorization',
    'Authorization',
    'cookie',
    'payment-signature',
    'PAYMENT-SIGNATURE',
    'payment-authorization',
    'x-payment',
    'x-forwarded-for',
    'forwarded',
    'host',
    'connection',
    'transfer-encoding',
    'proxy-authorization',
    'x-tollgate-socket-address',
    'accept',
    'content-type',
    'x-api-key',
    'x-custom',
  ),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
)
const forbidden = (name: string) =>
  /^(authorization|cookie2?|host|connection|keep-alive|te|trailer|transfer-encoding|upgrade|content-length|expect|forwarded|via|x-real-ip|accept-payment)$/.test(
    name,
  ) || /^(proxy-|payment-|x-payment|x-forwarded-|x-tollgate-|sec-)/.test(name)

test('upstreamRequestHeaders: no forbidden name ever passes, whatever the payer sends and the merchant lists; the secret always wins', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(headerName, fc.stringMatching(/^[ -~]{0,20}$/)), { maxLength: 12 }),
      fc.array(headerName, { maxLength: 4 }),
      (sent, listed) => {
        const incoming = new Headers()
        for (const [name, value] of sent) incoming.append(name, value)
        const listedOk = listed.filter((name) => forwardedHeaderIssue(name) === null)
        const headers = upstreamRequestHeaders(incoming, { forwardHeaders: listedOk, secretHeaders: { 'X-Api-Key': 'merchant' } })
        for (const name of Object.keys(headers)) {
          assert.equal(name, name.toLowerCase())
          assert.ok(!forbidden(name), `${name} reached the upstream`)
        }
        assert.equal(headers['x-api-key'], 'merchant')
        for (const name of listed) if (forbidden(name.toLowerCase())) assert.notEqual(forwardedHeaderIssue(name), null, name)
      },
    ),
    { numRuns: 3000 },
  )
})

test('header rules: names and values that could break framing are refused; Accept-Encoding keeps only known codings', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
      if (secretHeaderNameIssue(text) === null) assert.match(text, /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/)
      if (secretHeaderValueIssue(text) === null) assert.ok(!/[\r\n\u0000]/.test(text) && text.trim() !== '')
      const kept = relayedAcceptEncoding(text)
      if (kept !== null) for (const entry of kept.split(', ')) assert.match(entry, /^(gzip|deflate|br|zstd|identity)(;q=[0-9.]+)*$/)
    }),
    { numRuns: 3000 },
  )
})
