// The demo merchant's webhook endpoint: a local server that checks each delivery's signature the way
// docs/dashboard.md tells merchants to, records the event, and answers 200 (401 when it does not verify).
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as Signature from '@/lib/webhooks/signature'

export type ReceivedEvent = { id: string; type: string; amountUsd: string | null; verified: boolean }

export type WebhookReceiver = {
  url: string
  received: ReceivedEvent[]
  /** The signing secret the dashboard handed out for this endpoint. */
  setSecret(secret: string): void
  /** Called for each delivery after the history is seeded (the demo prints it). */
  onEvent(listener: ((event: ReceivedEvent) => void) | null): void
  stop(): Promise<void>
}

const MAX_BODY_BYTES = 64 * 1024

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let secret: string | null = null
  let listener: ((event: ReceivedEvent) => void) | null = null
  const received: ReceivedEvent[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) req.destroy()
      else chunks.push(chunk)
    })
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8')
      const verified = secret !== null && Signature.verify({ header: req.headers['tollgate-signature']?.toString(), secret, rawBody })
      const event = describe(rawBody, verified)
      received.push(event)
      listener?.(event)
      res.statusCode = verified ? 200 : 401
      res.end(verified ? 'ok' : 'bad signature')
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/tollgate-webhooks`,
    received,
    setSecret: (value) => (secret = value),
    onEvent: (value) => (listener = value),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

function describe(rawBody: string, verified: boolean): ReceivedEvent {
  try {
    const event = JSON.parse(rawBody) as { id?: unknown; type?: unknown; data?: { payment?: { amountUsd?: unknown } } }
    const amount = event.data?.payment?.amountUsd
    return { id: String(event.id), type: String(event.type), amountUsd: typeof amount === 'string' ? amount : null, verified }
  } catch {
    return { id: 'unreadable', type: 'unreadable', amountUsd: null, verified }
  }
}
