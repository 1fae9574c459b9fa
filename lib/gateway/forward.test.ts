// forwardToUpstream against real local upstreams: what reaches the upstream (method, path, query, body,
// the allowed headers and the merchant's secret, nothing of the payer's credentials), what reaches the
// payer (status, inert headers, the exact bytes, no cookies), streams that arrive event by event, the
// timeout that ends when headers arrive, redirects never followed, and typed errors that name no upstream.
import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http'
import { createServer as createTcpServer, type AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { HostNotFoundError, type OutboundPolicy } from '@/lib/outbound'
import { forwardToUpstream, InvalidUpstreamPathError, upstreamUrl, UpstreamError, type ForwardParameters } from './forward'

type Seen = { method: string; url: string; headers: IncomingHttpHeaders; body: string }

const apiKey = 'sk-live-merchant-0123456789abcdef'

describe('forwardToUpstream', { timeout: 60_000 }, () => {
  let server: Server
  let port = 0
  const seen: Seen[] = []
  const closedEarly: string[] = []
  /** Resolves when the test has read the first SSE event: the upstream sends the rest only then. */
  let releaseStream: () => void = () => {}
  const dns = new Map<string, string[]>()
  const resolve = async (hostname: string) => {
    const found = dns.get(hostname)
    if (!found) throw new HostNotFoundError(hostname)
    return found
  }
  const open: OutboundPolicy = { allowPrivate: true, resolve }
  const strict: OutboundPolicy = { allowPrivate: false, resolve }

  const routes: Record<string, (res: ServerResponse, seen: Seen) => void> = {
    '/base/echo': (res, s) => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'req_1', 'x-ratelimit-remaining-requests': '99' })
      res.end(JSON.stringify(s))
    },
    '/base/hostile': (res) => {
      res.writeHead(200, {
        'content-type': 'text/html',
        'set-cookie': 'session=stolen; Path=/',
        'content-security-policy': "default-src *; script-src 'unsafe-inline'",
        'access-control-allow-origin': '*',
        'x-frame-options': 'ALLOWALL',
        refresh: '0; url=https://evil.example/',
        link: '<https://evil.example/x.js>; rel=preload',
        location: 'https://evil.example/',
        etag: '"v1"',
      })
      res.end('<script>alert(document.cookie)</script>')
    },
    '/base/gzip': (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
      res.end(gzipSync('{"compressed":true}'))
    },
    '/base/events': (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      res.write('data: first\n\n')
      const released = new Promise<void>((r) => (releaseStream = r))
      void released.then(() => res.end('data: second\n\n'))
    },
    '/base/slow-body': (res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.write('first ')
      const timer = setTimeout(() => res.end('last'), 400)
      res.on('close', () => clearTimeout(timer))
    },
    '/base/endless': (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      const timer = setInterval(() => res.write('data: tick\n\n'), 20)
      res.on('close', () => {
        clearInterval(timer)
        closedEarly.push('/base/endless')
      })
    },
    '/base/hang': () => {},
    '/base/redirect': (res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${port}/secret` })
      res.end()
    },
    '/base/not-modified': (res) => {
      res.writeHead(304, { etag: '"v1"' })
      res.end()
    },
    '/base/teapot': (res) => {
      res.writeHead(418, { 'content-type': 'application/problem+json', 'retry-after': '5' })
      res.end('{"title":"I am a teapot"}')
    },
    '/base/boom': (res) => {
      res.writeHead(503, { 'content-type': 'text/plain' })
      res.end('upstream overloaded')
    },
  }

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const s: Seen = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() }
        seen.push(s)
        const route = routes[new URL(req.url!, 'http://x').pathname] ?? routes['/base/echo']!
        route(res, s)
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as AddressInfo).port
  })
  after(async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  })

  const forward = (overrides: Partial<ForwardParameters> = {}) =>
    forwardToUpstream({
      upstreamBase: `http://127.0.0.1:${port}/base/`,
      subpath: '/echo',
      search: '',
      method: 'GET',
      headers: new Headers(),
      body: null,
      secretHeaders: { 'X-Api-Key': apiKey },
      timeoutMs: 5000,
      outbound: open,
      downloadName: 'weather',
      ...overrides,
    })

  const echoed = async (response: Response): Promise<Seen> => JSON.parse(await response.text()) as Seen

  test('method, path below the base, query, body and content type reach the upstream; status and body come back', async () => {
    const response = await forward({
      method: 'POST',
      subpath: '/echo/v1/chat%2Dcompletions',
      search: '?stream=true&q=a%20b',
      headers: new Headers({ 'content-type': 'application/json' }),
      body: new TextEncoder().encode('{"model":"x"}'),
    })
    assert.equal(response.status, 201)
    const s = await echoed(response)
    assert.equal(s.method, 'POST')
    assert.equal(s.url, '/base/echo/v1/chat-completions?stream=true&q=a%20b')
    assert.equal(s.body, '{"model":"x"}')
    assert.equal(s.headers['content-type'], 'application/json')
    assert.equal(s.headers['content-length'], '13')
    for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
      const other = await echoed(await forward({ method, body: new TextEncoder().encode('x') }))
      assert.deepEqual([other.method, other.body], [method, 'x'])
    }
    const head = await forward({ method: 'HEAD' })
    assert.equal(head.status, 201)
    assert.equal(head.body, null)
  })

  test("the base's own query comes first; a base without a trailing slash joins the same way", async () => {
    const s = await echoed(await forward({ upstreamBase: `http://127.0.0.1:${port}/base?key=merchant`, search: '?q=1' }))
    assert.equal(s.url, '/base/echo?key=merchant&q=1')
    assert.equal((await echoed(await forward({ upstreamBase: `http://127.0.0.1:${port}/base/echo`, subpath: '' }))).url, '/base/echo')
  })

  test("only allowed request headers pass: never the payer's credentials, cookies, payment or proxy headers", async () => {
    const incoming = new Headers({
      accept: 'application/json',
      'accept-language': 'fr',
      'user-agent': 'agent/1.0',
      'idempotency-key': 'idem-1',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      'anthropic-version': '2023-06-01',
      'x-custom': 'listed',
      'x-not-listed': 'dropped',
      authorization: 'Payment eyJjcmVkZW50aWFsIjoidGhlIHBheWVyJ3MifQ',
      'payment-authorization': 'Payment abc',
      'payment-signature': 'eyJ4NDAyIjoic2lnbmF0dXJlIn0',
      'x-payment': 'v1-payment',
      'accept-payment': 'evm/charge',
      cookie: 'tollgate_grant=secret; tollgate_session=dash',
      'x-api-key': 'payer-chosen-key',
      'proxy-authorization': 'Basic eA==',
      forwarded: 'for=10.0.0.1',
      'x-forwarded-for': '10.0.0.1',
      'x-forwarded-host': 'internal',
      'x-real-ip': '10.0.0.1',
      'x-tollgate-socket-address': '127.0.0.1',
      'sec-fetch-mode': 'cors',
      connection: 'keep-alive, x-custom',
      te: 'trailers',
      via: '1.1 proxy',
      host: 'pay.example.com',
    })
    const s = await echoed(await forward({ headers: incoming, forwardHeaders: ['anthropic-version', 'x-custom'] }))
    const names = Object.keys(s.headers).sort()
    assert.deepEqual(names, [
      'accept',
      'accept-language',
      'anthropic-version',
      'connection',
      'host',
      'idempotency-key',
      'traceparent',
      'user-agent',
      'x-api-key',
    ])
    assert.equal(s.headers['x-api-key'], apiKey, "the merchant's key replaces the payer's")
    assert.equal(s.headers.host, `127.0.0.1:${port}`)
    assert.equal(s.headers.connection, 'close', 'a fresh connection per exchange, nothing of the payer')
    assert.equal(s.headers['user-agent'], 'agent/1.0')
    const bare = await echoed(await forward({ secretHeaders: { Authorization: `Bearer ${apiKey}` } }))
    assert.equal(bare.headers.authorization, `Bearer ${apiKey}`)
    assert.equal(bare.headers['user-agent'], 'Tollgate-Gateway/1.0')
  })

  test('Accept-Encoding keeps only codings the payer decodes; compressed answers pass byte for byte with their encoding', async () => {
    const asked = await echoed(await forward({ headers: new Headers({ 'accept-encoding': 'gzip, br;q=0.5, *, compress, x-gzip;q=2' }) }))
    assert.equal(asked.headers['accept-encoding'], 'gzip, br;q=0.5')
    assert.equal((await echoed(await forward({ headers: new Headers({ 'accept-encoding': '*' }) }))).headers['accept-encoding'], undefined)
    const response = await forward({ subpath: '/gzip', headers: new Headers({ 'accept-encoding': 'gzip' }) })
    assert.equal(response.headers.get('content-encoding'), 'gzip')
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), gzipSync('{"compressed":true}'))
  })

  test('the answer is inert on our origin: sandboxed, not sniffed, active types downloaded, no cookie or other upstream header', async () => {
    const response = await forward({ subpath: '/hostile' })
    assert.equal(response.headers.get('content-security-policy'), "sandbox; default-src 'none'")
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff')
    assert.equal(response.headers.get('content-type'), 'text/html')
    assert.equal(response.headers.get('content-disposition'), 'attachment; filename="weather.html"')
    assert.equal(response.headers.get('etag'), '"v1"')
    for (const name of ['set-cookie', 'access-control-allow-origin', 'x-frame-options', 'refresh', 'link', 'location'])
      assert.equal(response.headers.get(name), null, name)
    assert.equal(await response.text(), '<script>alert(document.cookie)</script>')
    const api = await forward()
    assert.equal(api.headers.get('content-disposition'), null, 'JSON is passive: shown, not downloaded')
    assert.equal(api.headers.get('x-request-id'), 'req_1')
    assert.equal(api.headers.get('x-ratelimit-remaining-requests'), '99')
    await api.body?.cancel()
  })

  test("the upstream's errors and 304 pass as they are", async () => {
    const teapot = await forward({ subpath: '/teapot' })
    assert.equal(teapot.status, 418)
    assert.equal(teapot.headers.get('retry-after'), '5')
    assert.equal(await teapot.text(), '{"title":"I am a teapot"}')
    const boom = await forward({ subpath: '/boom' })
    assert.equal(boom.status, 503)
    assert.equal(await boom.text(), 'upstream overloaded')
    const notModified = await forward({ subpath: '/not-modified' })
    assert.equal(notModified.status, 304)
    assert.equal(notModified.body, null)
  })

  test('a server-sent event reaches the payer before the upstream has finished', async () => {
    const decoder = new TextDecoder()
    // The upstream holds its second event until the first one has been read here: a gateway that buffered
    // the answer (or its headers) would never get this far, and the race below fails the test instead.
    const firstEvent = (async () => {
      const response = await forward({ subpath: '/events' })
      assert.equal(response.headers.get('content-type'), 'text/event-stream')
      assert.equal(response.headers.get('x-accel-buffering'), 'no')
      const reader = response.body!.getReader()
      return { reader, first: decoder.decode((await reader.read()).value) }
    })()
    let timer: NodeJS.Timeout | undefined
    try {
      const { reader, first } = await Promise.race([
        firstEvent,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('the first event did not arrive while the stream was open')), 5000)
        }),
      ])
      assert.equal(first, 'data: first\n\n')
      releaseStream()
      let rest = ''
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += decoder.decode(chunk.value)
      assert.equal(rest, 'data: second\n\n')
    } finally {
      clearTimeout(timer)
      releaseStream()
    }
  })

  test('the timeout ends when headers arrive: a slow body streams past it, a silent upstream is a 504 UpstreamError', async () => {
    const slow = await forward({ subpath: '/slow-body', timeoutMs: 200 })
    assert.equal(await slow.text(), 'first last')
    await assert.rejects(forward({ subpath: '/hang', timeoutMs: 200 }), (error: unknown) => {
      assert.ok(error instanceof UpstreamError)
      assert.deepEqual([error.reason, error.status], ['timeout', 504])
      assert.equal(error.publicDetail, 'The service did not answer in time.')
      assert.match(error.message, /did not answer within 0\.2 s/)
      return true
    })
  })

  test('a payer who goes away ends the upstream exchange, mid-stream included', async () => {
    const controller = new AbortController()
    const response = await forward({ subpath: '/endless', signal: controller.signal })
    const reader = response.body!.getReader()
    await reader.read()
    controller.abort()
    await reader.read().catch(() => {})
    for (let i = 0; i < 100 && !closedEarly.includes('/base/endless'); i++) await new Promise((r) => setTimeout(r, 20))
    assert.ok(closedEarly.includes('/base/endless'), 'the upstream saw its connection close')
  })

  test('a redirect is a 502 UpstreamError and its target is never fetched', async () => {
    const before = seen.length
    await assert.rejects(forward({ subpath: '/redirect' }), (error: unknown) => {
      assert.ok(error instanceof UpstreamError)
      assert.deepEqual([error.reason, error.status], ['redirect', 502])
      assert.match(error.message, /answered 302 \(a redirect\)/)
      assert.doesNotMatch(error.publicDetail, /127\.0\.0\.1/)
      return true
    })
    assert.equal(seen.length, before + 1)
    assert.ok(!seen.some((s) => s.url === '/secret'))
  })

  test('non-public upstreams are refused at connect time, names resolving to them included; nothing is sent', async () => {
    const before = seen.length
    dns.set('api.merchant.example', ['127.0.0.1'])
    for (const upstreamBase of [`http://127.0.0.1:${port}/base`, `http://api.merchant.example:${port}/base`])
      await assert.rejects(forward({ upstreamBase, outbound: strict }), (error: unknown) => {
        assert.ok(error instanceof UpstreamError)
        assert.deepEqual([error.reason, error.status], ['refused', 502])
        assert.match(error.message, /loopback address/)
        assert.doesNotMatch(error.publicDetail, /127|merchant\.example/)
        return true
      })
    assert.equal(seen.length, before)
  })

  test('an unreachable upstream is a 502 UpstreamError', async () => {
    const closed = createTcpServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const closedPort = (closed.address() as AddressInfo).port
    await new Promise((r) => closed.close(r))
    await assert.rejects(forward({ upstreamBase: `http://127.0.0.1:${closedPort}/` }), (error: unknown) => {
      assert.ok(error instanceof UpstreamError)
      assert.deepEqual([error.reason, error.status, error.publicDetail], ['unreachable', 502, 'The service could not be reached.'])
      return true
    })
    await assert.rejects(forward({ upstreamBase: 'http://nowhere.merchant.example/' }), (error: unknown) => error instanceof UpstreamError)
  })

  test('paths that would leave the base are refused before anything is sent', async () => {
    const before = seen.length
    for (const subpath of [
      '/..',
      '/../secret',
      '/%2e%2e/secret',
      '/.%2E/secret',
      '/x/%2E%2E/%2e%2e/secret',
      '/a%2F..%2F..%2Fsecret',
      '/a\\..\\secret',
      '/%5C..',
    ])
      await assert.rejects(forward({ subpath }), InvalidUpstreamPathError, subpath)
    assert.equal(seen.length, before)
  })

  test('the merchant key appears in no response header, error message or log line', async () => {
    const logged: string[] = []
    const originals = { log: console.log, error: console.error, warn: console.warn, info: console.info }
    for (const name of Object.keys(originals) as Array<keyof typeof originals>)
      console[name] = (...args: unknown[]) => void logged.push(args.map(String).join(' '))
    try {
      const responses = [await forward({ subpath: '/hostile' }), await forward({ subpath: '/teapot' })]
      for (const response of responses) {
        response.headers.forEach((value) => assert.ok(!value.includes(apiKey)))
        await response.body?.cancel()
      }
      for (const subpath of ['/redirect', '/hang', '/..'])
        await forward({ subpath, timeoutMs: 100 }).catch((error: Error) => {
          assert.ok(!error.message.includes(apiKey) && !String(error.stack).includes(apiKey))
        })
    } finally {
      Object.assign(console, originals)
    }
    assert.ok(!logged.some((line) => line.includes(apiKey)))
  })
})

describe('upstreamUrl', () => {
  const base = 'https://api.example.com/v1'
  test('joins below the base path whatever the payer sends', () => {
    const cases: Array<[string, string]> = [
      ['', 'https://api.example.com/v1'],
      ['/', 'https://api.example.com/v1/'],
      ['/models', 'https://api.example.com/v1/models'],
      ['//evil.example/x', 'https://api.example.com/v1/evil.example/x'],
      ['/http://evil.example/', 'https://api.example.com/v1/http:/evil.example/'],
      ['/@evil.example', 'https://api.example.com/v1/@evil.example'],
      ['/a%3Fb%23c', 'https://api.example.com/v1/a%3Fb%23c'],
      ['/a?b', 'https://api.example.com/v1/a%3Fb'],
    ]
    for (const [subpath, expected] of cases) assert.equal(upstreamUrl(base, subpath, '').href, expected, subpath)
    assert.equal(upstreamUrl('https://api.example.com/', '/x', '?y=1').href, 'https://api.example.com/x?y=1')
    assert.equal(upstreamUrl('https://api.example.com', '', '').href, 'https://api.example.com/')
    assert.equal(upstreamUrl('https://api.example.com/v1#frag', '/x', '?a=1#b').href, 'https://api.example.com/v1/x?a=1%23b')
  })
})
