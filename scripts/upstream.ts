// A tiny upstream API for the demo's proxied link: Tollgate sells access to it.
import http from 'node:http'

const quotes = [
  'Simplicity is prerequisite for reliability.',
  'Make it work, make it right, make it fast.',
  'The best error message is the one that never shows up.',
  'Premature optimization is the root of all evil.',
]

export async function startUpstream(port = 0): Promise<{ url: string; stop(): Promise<void> }> {
  let served = 0
  const server = http.createServer((req, res) => {
    served += 1
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ quote: quotes[served % quotes.length], served, at: new Date().toISOString(), path: req.url }))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('upstream did not bind')
  return {
    url: `http://127.0.0.1:${address.port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
