// A local stand-in for the part of Stripe's REST API Tollgate uses, for tests only (see README.md).
// The real `stripe` SDK talks to it through its host/port/protocol options; a fake Stripe.js talks to it
// from the browser with a publishable key (CORS is open).
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Stripe from 'stripe'
import * as Account from './internal/Account'
import * as ApiError from './internal/ApiError'
import * as Form from './internal/Form'
import * as Idempotency from './internal/Idempotency'
import * as Ids from './internal/Ids'
import * as PaymentIntents from './internal/PaymentIntents'
import * as PaymentMethods from './internal/PaymentMethods'
import * as Refunds from './internal/Refunds'
import * as SharedTokens from './internal/SharedTokens'
import * as Webhooks from './internal/Webhooks'

export type StripeDoubleOptions = {
  /** Where events of the primary account are POSTed. */
  webhookUrl?: string
  /** `whsec_…` used to sign deliveries; a random one is made when omitted. */
  webhookSecret?: string
  /** Only these event types are delivered automatically (default: all). */
  webhookEvents?: readonly string[]
  /** Pauses between automatic delivery attempts; one more attempt than entries. Default [50, 200, 1000]. */
  webhookRetryDelaysMs?: readonly number[]
  /** The primary account's secret key (`sk_test_…`); its publishable twin is `pk_test_` + the same suffix. */
  secretKey?: string
  port?: number
}

export type StripeDouble = {
  /** `http://127.0.0.1:<port>` — give it to the app as STRIPE_API_BASE. */
  url: string
  port: number
  secretKey: string
  publishableKey: string
  webhookSecret: string
  /** The primary account's PaymentIntents by id, as the API returns them to a secret key. */
  intents: ReadonlyMap<string, Stripe.PaymentIntent>
  /** Every event of the primary account, oldest first. */
  events: readonly Stripe.Event[]
  deliveries: readonly Webhooks.Delivery[]
  /** Sends an event now, signed like Stripe (or with `secret`/`signature` overrides), and returns the endpoint's answer. */
  deliver(event: Stripe.Event, options?: Webhooks.DeliverOptions): Promise<{ status: number; body: string }>
  /** Points automatic deliveries somewhere else (e.g. at an app started after the double). */
  setWebhookEndpoint(endpoint: { url: string; secret?: string; events?: readonly string[] } | null): void
  /** Waits for queued webhook deliveries (and their retries) to finish. */
  webhooksIdle(): Promise<void>
  /** Makes the next `count` API requests fail with a 500 `api_error`, to exercise retries. */
  failNextRequests(count: number): void
  stop(): Promise<void>
}

type Caller = { kind: 'secret' | 'publishable'; account: Account.Account }
type Result = { status: number; body: unknown }

const keyPattern = /^(sk|rk|pk)_test_([A-Za-z0-9_]{1,200})$/

export async function startStripeDouble(options: StripeDoubleOptions = {}): Promise<StripeDouble> {
  const secretKey = options.secretKey ?? 'sk_test_tollgate_double'
  const primarySuffix = keyPattern.exec(secretKey)?.[2]
  if (!primarySuffix || !secretKey.startsWith('sk_')) throw new Error('secretKey must look like sk_test_…')
  const webhookSecret = options.webhookSecret ?? Ids.create('whsec')
  const deliverer = new Webhooks.Deliverer(
    options.webhookUrl ? { url: options.webhookUrl, secret: webhookSecret, events: options.webhookEvents } : undefined,
    options.webhookRetryDelaysMs ?? [50, 200, 1000],
  )
  const accounts = new Map<string, Account.Account>()
  const accountFor = (suffix: string): Account.Account => {
    let account = accounts.get(suffix)
    if (!account) {
      const id = `acct_${createHash('sha256').update(suffix).digest('hex').slice(0, 16)}`
      account = Account.create(id, suffix === primarySuffix ? (event) => deliverer.enqueue(event) : undefined)
      accounts.set(suffix, account)
    }
    return account
  }
  const primary = accountFor(primarySuffix)
  let failuresLeft = 0
  let baseUrl = ''

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const failure =
        error instanceof ApiError.ApiError
          ? error
          : new ApiError.ApiError(500, { type: 'api_error', message: 'An unknown error occurred in the Stripe double.' })
      if (!(error instanceof ApiError.ApiError)) console.error('stripe double:', error)
      if (!response.headersSent) send(response, failure.status, failure.toJSON(), {})
    })
  })

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://double.invalid')
    const method = request.method ?? 'GET'
    const requestId = Ids.create('req', 14)
    const headers: Record<string, string> = {
      'request-id': requestId,
      'stripe-version': headerValue(request, 'stripe-version') ?? Stripe.API_VERSION,
    }
    if (method === 'OPTIONS') return preflight(request, response)
    const body = await readBody(request)
    if (failuresLeft > 0) {
      failuresLeft--
      throw new ApiError.ApiError(500, { type: 'api_error', message: 'The Stripe double was told to fail this request.' })
    }
    let params: Form.FormObject
    try {
      params = method === 'GET' || method === 'DELETE' ? Form.parse(url.search.slice(1)) : Form.parse(body)
    } catch (error) {
      throw ApiError.invalidRequest(error instanceof Error ? error.message : 'Invalid request body')
    }
    const path = url.pathname.replace(/\/+$/, '') || '/'

    if (path.startsWith('/_double/')) return doubleOnly(response, method, path, params, headers)

    const caller = authenticate(request, params)
    const idempotencyKey = method === 'POST' ? (headerValue(request, 'idempotency-key') ?? null) : null
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey
    const print = Idempotency.fingerprint(params)
    if (idempotencyKey) {
      const saved = Idempotency.lookup(caller.account, idempotencyKey, method, path, print)
      if (saved) return sendRaw(response, saved.status, saved.body, { ...headers, 'idempotent-replayed': 'true' })
    }
    const context: PaymentIntents.Context = { requestId, idempotencyKey, baseUrl, apiVersion: headers['stripe-version'] as string }
    let result: Result
    try {
      result = route(caller, method, path, params, context)
    } catch (error) {
      if (!(error instanceof ApiError.ApiError)) throw error
      if (idempotencyKey && error.replayable) save(caller.account, idempotencyKey, method, path, print, error.status, error.toJSON())
      return send(response, error.status, error.toJSON(), headers)
    }
    if (idempotencyKey) save(caller.account, idempotencyKey, method, path, print, result.status, result.body)
    send(response, result.status, result.body, headers)
  }

  function route(caller: Caller, method: string, path: string, params: Form.FormObject, context: PaymentIntents.Context): Result {
    const { account, kind } = caller
    const secretOnly = () => {
      if (kind !== 'secret') throw ApiError.publishableKeyNotAllowed()
    }
    const ok = (body: unknown): Result => ({ status: 200, body })
    const segments = path.split('/').slice(1)
    const [version, resource, id, action] = segments
    if (version !== 'v1') throw ApiError.notFound(path)

    if (resource === 'payment_intents') {
      if (method === 'POST' && id === undefined) return (secretOnly(), ok(PaymentIntents.create(account, params, context)))
      if (method === 'GET' && id && action === undefined && segments.length === 3)
        return ok(PaymentIntents.retrieve(account, id, params, { kind }))
      if (method === 'POST' && id && action === 'confirm' && segments.length === 4)
        return ok(PaymentIntents.confirm(account, id, params, { kind }, context))
      if (method === 'POST' && id && action === 'cancel' && segments.length === 4)
        return (secretOnly(), ok(PaymentIntents.cancel(account, id, params, context)))
    }
    if (resource === 'payment_methods') {
      if (method === 'POST' && id === undefined) return ok(PaymentMethods.create(account, params))
      if (method === 'GET' && id && segments.length === 3) {
        secretOnly()
        const stored = account.paymentMethods.get(id)
        if (!stored) throw ApiError.resourceMissing('payment_method', id, 'payment_method')
        return ok(stored.object)
      }
    }
    if (resource === 'refunds') {
      secretOnly()
      if (method === 'POST' && id === undefined) return ok(Refunds.create(account, params, context))
      if (method === 'GET' && id === undefined) return ok(Refunds.list(account, params))
      if (method === 'GET' && id && segments.length === 3) return ok(Refunds.retrieve(account, id))
    }
    if (resource === 'charges' && method === 'GET' && id && segments.length === 3)
      return (secretOnly(), ok(Refunds.retrieveCharge(account, id)))
    if (resource === 'events' && method === 'GET') {
      secretOnly()
      if (id === undefined)
        return ok({
          object: 'list',
          data: [...account.events].reverse().slice(0, 100),
          has_more: account.events.length > 100,
          url: '/v1/events',
        })
      const event = account.events.find((candidate) => candidate.id === id)
      if (!event) throw ApiError.resourceMissing('event', id, 'id')
      return ok(event)
    }
    if (path === '/v1/test_helpers/shared_payment/granted_tokens' && method === 'POST')
      return (secretOnly(), ok(SharedTokens.createForTest(account, params)))
    if (resource === 'shared_payment' && id === 'granted_tokens' && action && method === 'GET' && segments.length === 4) {
      secretOnly()
      const token = SharedTokens.find(account, action)
      if (!token) throw ApiError.resourceMissing('shared_payment_granted_token', action, 'id')
      return ok(SharedTokens.view(token))
    }
    throw ApiError.notFound(path)
  }

  // Stand-ins for what Stripe.js does with Stripe's own servers during 3-D Secure.
  // The PaymentIntent's client secret is the credential here, as on Stripe's hosted challenge page.
  function doubleOnly(
    response: ServerResponse,
    method: string,
    path: string,
    params: Form.FormObject,
    headers: Record<string, string>,
  ): void {
    const [, , page, id, ...rest] = path.split('/')
    const account = id && rest.length === 0 ? locateIntent(id) : undefined
    if (!account || !id) throw ApiError.notFound(path)
    const caller = { kind: 'publishable' as const }
    if (page === '3ds' && method === 'GET') {
      const intent = PaymentIntents.retrieve(account, id, params, caller)
      return sendHtml(response, challengePage(intent, params))
    }
    if (page === 'authenticate' && method === 'POST') {
      const context = {
        requestId: headers['request-id'] as string,
        idempotencyKey: null,
        baseUrl,
        apiVersion: headers['stripe-version'] as string,
      }
      const returnUrl = typeof params.return_url === 'string' ? params.return_url : undefined
      delete params.return_url
      const intent = PaymentIntents.authenticate(account, id, params, caller, context)
      if (returnUrl) return redirectAfterChallenge(response, returnUrl, intent)
      return send(response, 200, intent, headers)
    }
    throw ApiError.notFound(path)
  }

  function locateIntent(id: string): Account.Account | undefined {
    for (const account of accounts.values()) if (account.intents.has(id)) return account
    return undefined
  }

  function authenticate(request: IncomingMessage, params: Form.FormObject): Caller {
    let key: string | undefined
    const authorization = headerValue(request, 'authorization')
    if (authorization?.startsWith('Bearer ')) key = authorization.slice('Bearer '.length).trim()
    else if (authorization?.startsWith('Basic '))
      key = Buffer.from(authorization.slice('Basic '.length), 'base64').toString('utf8').split(':')[0]
    // Stripe.js sends its publishable key as a `key` parameter instead of a header (no CORS preflight).
    if (key === undefined && typeof params.key === 'string') key = params.key
    delete params.key
    if (!key) throw ApiError.missingApiKey()
    const match = keyPattern.exec(key)
    if (!match) throw ApiError.invalidApiKey(key)
    return { kind: match[1] === 'pk' ? 'publishable' : 'secret', account: accountFor(match[2] as string) }
  }

  function save(account: Account.Account, key: string, method: string, path: string, print: string, status: number, body: unknown): void {
    Idempotency.save(account, key, { method, path, fingerprint: print, status, body: JSON.stringify(body) })
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  baseUrl = `http://127.0.0.1:${port}`

  const double: StripeDouble = {
    url: baseUrl,
    port,
    secretKey,
    publishableKey: `pk_test_${primarySuffix}`,
    webhookSecret,
    intents: primary.intents,
    events: primary.events,
    deliveries: deliverer.deliveries,
    deliver: (event, deliverOptions) => deliverer.deliver(event, deliverOptions),
    setWebhookEndpoint(endpoint) {
      deliverer.configure(endpoint ? { url: endpoint.url, secret: endpoint.secret ?? webhookSecret, events: endpoint.events } : undefined)
    },
    webhooksIdle: () => deliverer.idle(),
    failNextRequests(count) {
      failuresLeft = count
    },
    async stop() {
      await deliverer.idle()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return double
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}

const corsHeaders = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'Request-Id, Idempotency-Key, Idempotent-Replayed, Stripe-Version',
}

function preflight(request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(204, {
    ...corsHeaders,
    'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
    'access-control-allow-headers':
      headerValue(request, 'access-control-request-headers') ?? 'authorization, content-type, stripe-version, idempotency-key',
    'access-control-max-age': '300',
  })
  response.end()
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  sendRaw(response, status, JSON.stringify(body, null, 2), headers)
}

function sendRaw(response: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  response.writeHead(status, { ...corsHeaders, ...headers, 'content-type': 'application/json', 'cache-control': 'no-cache, no-store' })
  response.end(body)
}

function sendHtml(response: ServerResponse, html: string): void {
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
  response.end(html)
}

function redirectAfterChallenge(response: ServerResponse, returnUrl: string, intent: Stripe.PaymentIntent): void {
  let target: URL
  try {
    target = new URL(returnUrl)
  } catch {
    throw ApiError.invalidRequest('Invalid return_url', { param: 'return_url' })
  }
  target.searchParams.set('payment_intent', intent.id)
  target.searchParams.set('payment_intent_client_secret', intent.client_secret ?? '')
  target.searchParams.set('redirect_status', intent.status === 'succeeded' ? 'succeeded' : 'failed')
  response.writeHead(303, { location: target.toString(), 'cache-control': 'no-store' })
  response.end()
}

// The hosted 3-D Secure page a `redirect_to_url` next action leads to: two buttons, like Stripe's test page.
function challengePage(intent: Stripe.PaymentIntent, params: Form.FormObject): string {
  const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
  const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escape(value)}">`
  const returnUrl = typeof params.return_url === 'string' ? params.return_url : ''
  const fields = hidden('client_secret', intent.client_secret ?? '') + (returnUrl ? hidden('return_url', returnUrl) : '')
  const action = `/_double/authenticate/${encodeURIComponent(intent.id)}`
  return `<!doctype html><html><head><meta charset="utf-8"><title>3D Secure test payment</title></head><body>
<h1>3D Secure 2 test page</h1><p>Amount: ${intent.amount} ${escape(intent.currency)}</p>
<form method="post" action="${action}">${fields}${hidden('outcome', 'complete')}<button type="submit">Complete authentication</button></form>
<form method="post" action="${action}">${fields}${hidden('outcome', 'fail')}<button type="submit">Fail authentication</button></form>
</body></html>`
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > 1_000_000) throw ApiError.invalidRequest('Request body too large', { status: 413 })
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}
