// requestPublic against real local servers: the policy is enforced on the connection itself (a name a
// resolver maps to 127.0.0.1 is refused even after it passed a save-time check), nothing reaches a
// refused host, redirects come back unfollowed, and every failure is a typed, readable error.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { createServer as createTcpServer, type AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { OutboundFailedError, OutboundRefusedError } from './errors'
import { refusalFor, type OutboundPolicy } from './outbound-policy'
import { requestPublic } from './request-public'
import { HostNotFoundError } from './resolve-host'

type Hit = { method: string; url: string; body: string }

describe('requestPublic', () => {
  let server: Server
  let port = 0
  const hits: Hit[] = []
  /** What the test resolver answers for each name; tests change it to play a DNS change. */
  const dns = new Map<string, string[]>()
  const resolve = async (hostname: string) => {
    const found = dns.get(hostname)
    if (!found) throw new HostNotFoundError(hostname)
    return found
  }
  const strict: OutboundPolicy = { allowPrivate: false, resolve }
  const open: OutboundPolicy = { allowPrivate: true, resolve }

  before(async () => {
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        hits.push({ method: req.method!, url: req.url!, body })
        if (req.url === '/redirect') {
          res.writeHead(302, { location: `http://127.0.0.1:${port}/secret` })
          return res.end()
        }
        if (req.url === '/hang') return
        if (req.url === '/slow-body') {
          // Headers at once, the body's end only after 400 ms: longer than the tests' 200 ms timeout.
          res.writeHead(200, { 'content-type': 'text/plain' })
          res.write('first ')
          const timer = setTimeout(() => res.end('last'), 400)
          res.on('close', () => {
            clearTimeout(timer)
            if (!res.writableFinished) hits.push({ method: 'CLOSED', url: req.url!, body: '' })
          })
          return
        }
        res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': 'yes' })
        res.end(`answer to ${req.method} ${req.url} ${body}`)
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as AddressInfo).port
  })
  after(async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  })

  const hitsFor = (path: string) => hits.filter((h) => h.url === path).length

  test('a literal loopback address is refused before any connection', async () => {
    await assert.rejects(requestPublic(`http://127.0.0.1:${port}/literal`, { timeoutMs: 5000 }, strict), (error: Error) => {
      assert.ok(error instanceof OutboundRefusedError)
      assert.match(error.message, /127\.0\.0\.1 is a loopback address: Tollgate connects only to public addresses/)
      return true
    })
    assert.equal(hitsFor('/literal'), 0)
  })

  test('a public-looking name that resolves to 127.0.0.1 is refused at connect time', async () => {
    dns.set('api.merchant.example', ['127.0.0.1'])
    await assert.rejects(
      requestPublic(`http://api.merchant.example:${port}/named`, { timeoutMs: 5000 }, strict),
      (error: Error) => error instanceof OutboundRefusedError && /resolves to 127\.0\.0\.1, a loopback address/.test(error.message),
    )
    assert.equal(hitsFor('/named'), 0)
  })

  test('a name that passed the save-time check and then resolves to 127.0.0.1 is refused, nothing sent', async () => {
    dns.set('rebind.merchant.example', ['93.184.216.34'])
    const url = `http://rebind.merchant.example:${port}/rebind`
    assert.equal(await refusalFor(new URL(url), strict), null, 'saved while it pointed at a public address')
    dns.set('rebind.merchant.example', ['127.0.0.1'])
    await assert.rejects(requestPublic(url, { timeoutMs: 5000 }, strict), OutboundRefusedError)
    dns.set('rebind.merchant.example', ['93.184.216.34', '::1'])
    await assert.rejects(requestPublic(url, { timeoutMs: 5000 }, strict), /::1, a loopback address/)
    assert.equal(hitsFor('/rebind'), 0)
  })

  test('with private addresses allowed, the exchange happens: method, body, status, headers, streamed body', async () => {
    dns.set('api.merchant.example', ['127.0.0.1'])
    const response = await requestPublic(
      `http://api.merchant.example:${port}/allowed?q=1`,
      { method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' }, timeoutMs: 5000 },
      open,
    )
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('x-upstream'), 'yes')
    assert.equal(await response.text(), 'answer to POST /allowed?q=1 hello')
  })

  test('every forwarded method is sent as it is; HEAD answers have no body', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
      const response = await requestPublic(`http://127.0.0.1:${port}/m`, { method, body: 'x', timeoutMs: 5000 }, open)
      assert.equal(await response.text(), `answer to ${method} /m x`)
    }
    const head = await requestPublic(`http://127.0.0.1:${port}/m`, { method: 'HEAD', timeoutMs: 5000 }, open)
    assert.equal(head.status, 200)
    assert.equal(head.body, null)
  })

  test("timeoutCovers 'headers' lets a body stream past the timeout; the default covers the whole exchange", async () => {
    const streamed = await requestPublic(`http://127.0.0.1:${port}/slow-body`, { timeoutMs: 200, timeoutCovers: 'headers' }, open)
    assert.equal(await streamed.text(), 'first last')
    const cut = await requestPublic(`http://127.0.0.1:${port}/slow-body`, { timeoutMs: 200 }, open)
    await assert.rejects(cut.text())
  })

  test('an aborted signal stops the exchange, mid-body included, and the host sees the connection close', async () => {
    const before = hits.filter((h) => h.method === 'CLOSED').length
    const controller = new AbortController()
    const response = await requestPublic(
      `http://127.0.0.1:${port}/slow-body`,
      { timeoutMs: 5000, timeoutCovers: 'headers', signal: controller.signal },
      open,
    )
    const reader = response.body!.getReader()
    assert.equal(new TextDecoder().decode((await reader.read()).value), 'first ')
    controller.abort()
    await assert.rejects(reader.read())
    for (let i = 0; i < 50 && hits.filter((h) => h.method === 'CLOSED').length === before; i++) await new Promise((r) => setTimeout(r, 20))
    assert.equal(hits.filter((h) => h.method === 'CLOSED').length, before + 1)
    await assert.rejects(
      requestPublic(`http://127.0.0.1:${port}/m`, { timeoutMs: 5000, signal: AbortSignal.abort() }, open),
      /was cancelled/,
    )
    const late = new AbortController()
    const pending = requestPublic(`http://127.0.0.1:${port}/hang`, { timeoutMs: 5000, signal: late.signal }, open)
    setTimeout(() => late.abort(), 50)
    await assert.rejects(
      pending,
      (error: Error) => error instanceof OutboundFailedError && error.reason === 'cancelled' && /was cancelled/.test(error.message),
    )
  })

  test('a redirect comes back as it is; the target is never fetched', async () => {
    const response = await requestPublic(`http://127.0.0.1:${port}/redirect`, { timeoutMs: 5000 }, open)
    assert.equal(response.status, 302)
    assert.equal(response.headers.get('location'), `http://127.0.0.1:${port}/secret`)
    assert.equal(hitsFor('/secret'), 0)
  })

  test('failures are typed and readable: no such name, refused connection, silence, not HTTP', async () => {
    await assert.rejects(
      requestPublic('http://nowhere.merchant.example/', { timeoutMs: 5000 }, open),
      (error: Error) => error instanceof OutboundFailedError && error.message === 'nowhere.merchant.example does not resolve',
    )
    const closed = createTcpServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const closedPort = (closed.address() as AddressInfo).port
    await new Promise((r) => closed.close(r))
    await assert.rejects(requestPublic(`http://127.0.0.1:${closedPort}/`, { timeoutMs: 5000 }, open), /refused the connection/)
    await assert.rejects(
      requestPublic(`http://127.0.0.1:${port}/hang`, { timeoutMs: 300 }, open),
      (error: Error) =>
        error instanceof OutboundFailedError && error.reason === 'timeout' && /did not answer within 0\.3 s/.test(error.message),
    )
    const liar = createTcpServer((socket) => socket.end('HTTP/1.1 600 Whatever\r\ncontent-length: 0\r\n\r\n'))
    await new Promise<void>((r) => liar.listen(0, '127.0.0.1', r))
    try {
      await assert.rejects(
        requestPublic(`http://127.0.0.1:${(liar.address() as AddressInfo).port}/`, { timeoutMs: 5000 }, open),
        (error: Error) => error instanceof OutboundFailedError,
      )
    } finally {
      // Not awaited: a raw socket server reports its half-closed connection late.
      liar.close()
      liar.unref()
    }
    await assert.rejects(requestPublic('file:///etc/passwd', { timeoutMs: 5000 }, open), OutboundRefusedError)
  })
})
