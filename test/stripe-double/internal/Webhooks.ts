// Webhook delivery the way Stripe does it: JSON POST signed in `Stripe-Signature` (made by the real SDK's
// test header helper), retried with backoff until the endpoint answers 2xx.
import Stripe from 'stripe'

export type Endpoint = { url: string; secret: string; events?: readonly string[] }

export type Delivery = { eventId: string; type: string; attempt: number; status: number | null; error?: string }

export type DeliverOptions = { secret?: string; signature?: string; url?: string }

export class Deliverer {
  readonly deliveries: Delivery[] = []
  private pending = new Set<Promise<void>>()

  constructor(
    private endpoint: Endpoint | undefined,
    private readonly retryDelaysMs: readonly number[],
  ) {}

  configure(endpoint: Endpoint | undefined): void {
    this.endpoint = endpoint
  }

  get configured(): Endpoint | undefined {
    return this.endpoint
  }

  /** Queues an automatic delivery of a new event (no-op without an endpoint or when filtered out). */
  enqueue(event: Stripe.Event): void {
    const endpoint = this.endpoint
    if (!endpoint) return
    if (endpoint.events && !endpoint.events.includes(event.type) && !endpoint.events.includes('*')) return
    const job = this.retrying(event, endpoint).finally(() => this.pending.delete(job))
    this.pending.add(job)
  }

  /** Sends one event now (a redelivery, or a hand-built event) and reports the endpoint's answer. */
  async deliver(event: Stripe.Event, options: DeliverOptions = {}): Promise<{ status: number; body: string }> {
    const url = options.url ?? this.endpoint?.url
    const secret = options.secret ?? this.endpoint?.secret
    if (!url || !secret) throw new Error('No webhook endpoint configured: pass webhookUrl and webhookSecret')
    const payload = JSON.stringify(event, null, 2)
    const signature = options.signature ?? Stripe.webhooks.generateTestHeaderString({ payload, secret })
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'stripe-signature': signature,
        'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      },
      body: payload,
    })
    return { status: response.status, body: await response.text() }
  }

  /** Resolves once every queued delivery has succeeded or used up its retries. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending])
  }

  private async retrying(event: Stripe.Event, endpoint: Endpoint): Promise<void> {
    for (let attempt = 1; attempt <= this.retryDelaysMs.length + 1; attempt++) {
      const record: Delivery = { eventId: event.id, type: event.type, attempt, status: null }
      this.deliveries.push(record)
      try {
        const { status } = await this.deliver(event, { url: endpoint.url, secret: endpoint.secret })
        record.status = status
        if (status >= 200 && status < 300) return
      } catch (error) {
        record.error = error instanceof Error ? error.message : String(error)
      }
      const delay = this.retryDelaysMs[attempt - 1]
      if (delay === undefined) return
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }
}
