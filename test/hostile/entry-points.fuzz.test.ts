// Issue 8, hostile input: property-based fuzzing of every entry point of a running Tollgate that
// parses outside input — both credential headers and Accept-Payment on a payment link, on the
// example POST route and on a service link's priced call, service links' methods, paths, queries,
// headers and JSON-RPC bodies, Stripe webhook deliveries, the dashboard's link forms and Sign-In with
// Ethereum — 10,000 cases each (FUZZ_RUNS lowers it), with zero 5xx. Oversized bodies on every route
// that reads one get 413, and rotating X-Forwarded-For never buys more than one client's rate limit.
// Then no log line may hold a credential, a private key or a secret.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import fc from 'fast-check'
import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import * as Credential from '@/lib/protocol/Credential'
import * as PaymentSignature from '@/lib/protocol/x402/PaymentSignature'
import { anvilPrivateKey } from '@/scripts/chain/deploy'
import { type RunningApp, startApp } from '@/scripts/app'
import { sendOversized } from '@/test/support/oversized-body'
import { freePort } from '@/test/support/ports'
import { createDatabase, postgresInstalled, startPostgres, type PostgresServer } from '@/test/support/postgres'
import { type Stack, startStack } from '@/test/support/stack'
import { startServiceUpstream, type ServiceUpstream } from '@/test/support/service-upstream'
import { startStripeDouble, type StripeDouble } from '@/test/stripe-double'
import { mppCredential, payer, x402Signature } from '@/test/scale/internal/payers'
import { type Sent, campaign, describeServerErrors, fuzzRuns } from './internal/campaign'
import {
  acceptPayment,
  forwardedFor,
  linkFormCase,
  linkInputs,
  mppAuthorization,
  pathCase,
  paymentSignature,
  serviceCase,
  siweBody,
  siweCase,
  stripeEvents,
  webhookCase,
} from './internal/inputs'

type Route = { path: string; method: 'GET' | 'POST'; body?: string }
const summarizeBody = JSON.stringify({ text: 'Fuzzing asks every question at once. The server must answer each one calmly.' })
const routes: Route[] = [
  { path: '/l/demo', method: 'GET' },
  { path: '/api/examples/summarize', method: 'POST', body: summarizeBody },
  // A service link's priced call (created in before()): the gateway's entry point for credentials.
  { path: '/l/fz-svc/v1/chat?model=fuzz', method: 'POST', body: summarizeBody },
]
const serviceApiKey = 'sk-fuzz-upstream-key-0123456789abcdef'

describe(`hostile input: ${fuzzRuns} cases per entry point of a running server, never a 5xx`, () => {
  let double: StripeDouble
  let upstream: ServiceUpstream
  let server: PostgresServer | null = null
  let stack: Stack
  let base = ''
  /** Every instance's URL: cases are spread over them (two instances share the work on PostgreSQL). */
  let instances: string[] = []
  let sent = 0
  let reusedSocketRaces = 0
  let session = ''
  const seeds = { mpp: [] as Credential.Credential[], x402: [] as PaymentSignature.PaymentPayload[] }
  /** Genuine secrets and credentials this suite handled: none may reach a log line. */
  const secrets: string[] = []

  before(async () => {
    double = await startStripeDouble()
    upstream = await startServiceUpstream()
    if (postgresInstalled()) server = await startPostgres()
    const databaseUrl = server ? await createDatabase(server, `hostile_${randomBytes(6).toString('hex')}`) : undefined
    stack = await startStack({
      stripe: true,
      ...(databaseUrl ? { databaseUrl } : {}),
      env: {
        STRIPE_SECRET_KEY: double.secretKey,
        NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY: double.publishableKey,
        STRIPE_WEBHOOK_SECRET: double.webhookSecret,
        STRIPE_API_BASE: double.url,
        RATE_LIMIT_SIGN_IN_PER_MINUTE: '10000000',
        // Genuine challenges must stay unexpired for the whole run.
        CHALLENGE_TTL_SECONDS: '3600',
      },
    })
    base = stack.url
    instances = server ? [base, (await stack.addInstance()).url] : [base]
    session = await signIn(base, anvilPrivateKey(0))
    await createServiceLinks(base, session, upstream.url)
    for (const [i, route] of routes.entries()) {
      const init = { method: route.method, ...(route.body ? { body: route.body, headers: { 'content-type': 'application/json' } } : {}) }
      const mpp = await mppCredential(payer(1 + i), await fetch(`${base}${route.path}`, init))
      const x402 = await x402Signature(payer(3 + i), stack.chain, await fetch(`${base}${route.path}`, init))
      seeds.mpp.push(Credential.deserialize(mpp))
      seeds.x402.push(PaymentSignature.decode(x402))
      secrets.push(mpp, mpp.slice('Payment '.length), x402, (Credential.deserialize(mpp).payload as { signature: string }).signature)
    }
    secrets.push(
      serviceApiKey,
      session.split('=').slice(1).join('='),
      stack.env.MPP_SECRET_KEY!,
      anvilPrivateKey(0),
      anvilPrivateKey(0).slice(2),
      double.webhookSecret,
      double.secretKey,
    )
  })
  after(async () => {
    await stack?.stop()
    await server?.stop()
    await double?.stop()
    await upstream?.stop()
  })

  /** `url` (built on the first instance) at the next instance in turn; the public origin stays the first's. */
  function spread(url: string): string {
    return url.startsWith(base) ? `${instances[sent++ % instances.length]}${url.slice(base.length)}` : url
  }

  async function send(url: string, init: RequestInit): Promise<Sent> {
    const target = spread(url)
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await fetch(target, { ...init, redirect: 'manual' })
        return { status: response.status, body: await response.text() }
      } catch (error) {
        const answer = unsent(error)
        // A kept-alive socket the server closed just as it was reused: the client's race, tried once more.
        if (answer.status === 599 && attempt === 1 && /UND_ERR_SOCKET/.test(answer.body)) {
          reusedSocketRaces++
          continue
        }
        return answer
      }
    }
  }

  const paymentRequest = (route: Route, headers: Record<string, string>, body: string | undefined) =>
    send(`${base}${route.path}`, {
      method: route.method,
      headers: { ...(route.method === 'POST' ? { 'content-type': 'application/json' } : {}), ...headers },
      body: route.method === 'POST' ? (body ?? route.body) : undefined,
    })

  const routeAndBody = fc.record({
    route: fc.constantFrom(...routes),
    body: fc.option(fc.oneof(fc.constant(summarizeBody), fc.string({ maxLength: 60 })), { nil: undefined, freq: 4 }),
  })

  test('Authorization / Payment-Authorization credentials (with Accept-Payment) on /l/demo, POST /api/examples/summarize and a service call', async () => {
    const result = await campaign({
      name: 'MPP credential headers',
      arbitrary: fc.record({
        at: routeAndBody,
        header: fc.constantFrom('authorization', 'authorization', 'payment-authorization'),
        value: mppAuthorization(seeds.mpp),
        accept: fc.option(acceptPayment, { freq: 3 }),
      }),
      send: ({ at, header, value, accept }) =>
        paymentRequest(at.route, { [header]: value, ...(accept === null ? {} : { 'accept-payment': accept }) }, at.body),
    })
    assert.deepEqual(result.serverErrors, [], describeServerErrors(result))
    assert.ok((result.statuses[402] ?? 0) > result.runs / 2, 'most cases are refused as payment problems')
  })

  test('PAYMENT-SIGNATURE (x402) values (with Accept-Payment) on /l/demo, POST /api/examples/summarize and a service call', async () => {
    const result = await campaign({
      name: 'x402 PAYMENT-SIGNATURE',
      arbitrary: fc.record({ at: routeAndBody, value: paymentSignature(seeds.x402), accept: fc.option(acceptPayment, { freq: 3 }) }),
      send: ({ at, value, accept }) =>
        paymentRequest(at.route, { 'payment-signature': value, ...(accept === null ? {} : { 'accept-payment': accept }) }, at.body),
    })
    assert.deepEqual(result.serverErrors, [], describeServerErrors(result))
  })

  test('Accept-Payment alone on /l/demo, POST /api/examples/summarize and a service call: always a 402 with at least one offer', async () => {
    let withoutOffer = 0
    const result = await campaign({
      name: 'Accept-Payment',
      arbitrary: fc.record({ at: routeAndBody, accept: acceptPayment }),
      send: async ({ at, accept }) => {
        const response = await fetch(spread(`${base}${at.route.path}`), {
          method: at.route.method,
          headers: { 'accept-payment': accept, ...(at.route.method === 'POST' ? { 'content-type': 'application/json' } : {}) },
          body: at.route.method === 'POST' ? (at.body ?? at.route.body) : undefined,
        }).catch((error: unknown) => unsent(error))
        if (!(response instanceof Response)) return response
        if (response.status === 402 && !response.headers.get('www-authenticate')) withoutOffer++
        return { status: response.status, body: await response.text() }
      },
    })
    assert.deepEqual(result.serverErrors, [], describeServerErrors(result))
    assert.equal(result.statuses[402], result.runs - (result.statuses[0] ?? 0), 'an unpaid request always gets its 402')
    assert.equal(withoutOffer, 0, 'a malformed or unmatched Accept-Payment still leaves the normal offers')
  })

  test('service links: any method, path, query, headers and body (JSON-RPC calls and batches too)', async () => {
    const result = await campaign({
      name: 'service links',
      arbitrary: serviceCase('/l/fz-svc', '/l/fz-rpc'),
      send: (c) => {
        const method = c.method.toUpperCase()
        return send(`${base}${c.path}`, {
          method: c.method,
          headers: c.headers,
          body: method === 'GET' || method === 'HEAD' ? undefined : (c.body ?? undefined),
        })
      },
    })
    assert.deepEqual(result.serverErrors, [], describeServerErrors(result))
    for (const status of [200, 400, 402]) assert.ok((result.statuses[status] ?? 0) > 0, `some calls were answered ${status}`)
    assert.ok(upstream.received.length > 0, 'free calls reached the upstream')
    assert.ok(
      upstream.received.every((r) => r.headers['x-api-key'] === serviceApiKey && !r.headers.authorization && !r.headers.cookie),
      'only the merchant key, never the payer credentials or cookies, reached the upstream',
    )
  })

  test('POST /api/stripe/webhook: arbitrary bodies and signatures, and validly signed events of every shape', async () => {
    const events = stripeEvents(stack.links.filter((l) => l.rails.includes('stripe')).concat(stack.links))
    const result = await campaign({
      name: 'Stripe webhook',
      arbitrary: webhookCase(double.webhookSecret, events),
      send: ({ body, signature, contentType }) =>
        send(`${base}/api/stripe/webhook`, {
          method: 'POST',
          headers: {
            ...(contentType ? { 'content-type': contentType } : {}),
            ...(signature === null ? {} : { 'stripe-signature': signature }),
          },
          body,
        }),
    })
    assert.deepEqual(result.serverErrors, [], describeServerErrors(result))
    assert.ok((result.statuses[200] ?? 0) > 0 && (result.statuses[400] ?? 0) > 0, 'both verified and refused deliveries were exercised')
  })

  test('dashboard link forms: create, update, read and delete with arbitrary bodies, ids, origins and sessions', async () => {
    const fileId = (stack.links.find((l) => l.resource.kind === 'file')?.resource as { fileId: string } | undefined)?.fileId ?? 'file_x'
    const inputs = linkInputs(stack.merchant, fileId)
    const linkIds = stack.links.map((l) => l.id)
    const forged = `${session.split('=')[0]}=${randomBytes(24).toString('base64url')}.${randomBytes(32).toString('base64url')}`
    const result = await campaign({
      name: 'dashboard link forms',
      arbitrary: linkFormCase(inputs, linkIds),
      send: (c) =>
        send(`${base}/api/dashboard/links${c.id === null ? '' : `/${c.id}`}`, {
          method: c.method,
          headers: {
            ...(c.contentType ? { 'content-type': c.contentType } : {}),
            ...(c.origin === 'none' ? {} : { origin: c.origin === 'ours' ? base : 'https://evil.example' }),
            ...(c.session === 'none' ? {} : { cookie: c.session === 'merchant' ? session : forged }),
          },
          body: c.body ?? undefined,
        }),
    })
    assert.deepEqual(result.serverErrors, [], describeServerErrors(result))
    assert.ok((result.statuses[201] ?? 0) > 0 && (result.statuses[200] ?? 0) > 0, 'valid creates and updates went through too')
  })

  test('POST /api/dashboard/auth/verify: Sign-In with Ethereum messages of every shape, signed and not', async () => {
    const nonces = await Promise.all(
      Array.from(
        { length: 30 },
        async () => ((await (await fetch(`${base}/api/dashboard/auth/nonce`, { method: 'POST' })).json()) as { nonce: string }).nonce,
      ),
    )
    const origin = new URL(base)
    const result = await campaign({
      name: 'Sign-In with Ethereum',
      arbitrary: siweCase({ host: origin.host, origin: origin.origin, chainId: stack.chain.chainId }, nonces),
      send: async ({ body, contentType }) =>
        send(`${base}/api/dashboard/auth/verify`, {
          method: 'POST',
          headers: contentType ? { 'content-type': contentType } : {},
          body: await siweBody(body),
        }),
    })
    assert.deepEqual(result.serverErrors, [], describeServerErrors(result))
    assert.ok((result.statuses[200] ?? 0) > 0, 'some well-formed, well-signed messages signed in')
  })

  test('paths and query strings of every dynamic route (links, receipts, checkout, dashboard ids and filters)', async () => {
    const result = await campaign({
      name: 'paths and query strings',
      // Beyond the issue's list: a lighter sweep (cheap to widen with FUZZ_RUNS).
      runs: Math.min(fuzzRuns, 3_000),
      arbitrary: pathCase,
      send: (c) => send(`${base}${c.path}`, { method: c.method, headers: c.session ? { cookie: session, origin: base } : {} }),
    })
    assert.deepEqual(result.serverErrors, [], describeServerErrors(result))
  })

  test('oversized bodies, chunked or declared, on every route that reads a body: 413 problem+json, never a 5xx', async () => {
    const KB = 1024
    const MB = 1024 * KB
    const cookie = { cookie: session }
    const bodyRoutes: Array<{ method: string; path: string; limit: number; headers: Record<string, string> }> = [
      { method: 'POST', path: '/api/examples/summarize', limit: MB, headers: { 'content-type': 'application/json' } },
      { method: 'POST', path: '/l/fz-svc/v1/chat', limit: MB, headers: { 'content-type': 'application/json' } },
      { method: 'PUT', path: '/l/fz-rpc', limit: MB, headers: { 'content-type': 'application/json' } },
      { method: 'POST', path: '/api/checkout/payment-intent', limit: 64 * KB, headers: { 'content-type': 'application/json' } },
      { method: 'POST', path: '/api/stripe/webhook', limit: MB, headers: { 'stripe-signature': 't=1,v1=00' } },
      { method: 'POST', path: '/api/dashboard/links', limit: 2 * MB, headers: { 'content-type': 'application/json', ...cookie } },
      { method: 'PATCH', path: `/api/dashboard/links/${stack.links[0]!.id}`, limit: 2 * MB, headers: cookie },
      { method: 'PUT', path: '/api/dashboard/webhook', limit: 16 * KB, headers: cookie },
      { method: 'POST', path: '/api/dashboard/auth/verify', limit: 64 * KB, headers: { 'content-type': 'application/json' } },
      { method: 'POST', path: '/api/dashboard/auth/demo-signature', limit: 16 * KB, headers: { 'content-type': 'application/json' } },
      {
        method: 'POST',
        path: '/api/dashboard/files',
        limit: 10 * MB + 64 * KB,
        headers: { 'content-type': 'multipart/form-data; boundary=x', ...cookie },
      },
    ]
    const result = await campaign({
      name: 'oversized bodies',
      // Each case streams megabytes: a lighter sweep, every route and shape still drawn many times.
      runs: Math.min(fuzzRuns, 160),
      concurrency: 4,
      arbitrary: fc.record({
        route: fc.constantFrom(...bodyRoutes),
        overBy: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 64 * KB }), fc.integer({ min: 64 * KB, max: 4 * MB })),
        declareLength: fc.boolean(),
        chunkBytes: fc.constantFrom(1, 1000, 16 * KB, 64 * KB, 256 * KB),
        fill: fc.constantFrom(0x20, 0x7b, 0x61, 0x00, 0xff),
      }),
      send: async ({ route, overBy, declareLength, chunkBytes, fill }) => {
        // One-byte chunks would take minutes for megabytes: tiny chunks only for small excesses.
        const chunk = chunkBytes === 1 && route.limit > 64 * KB ? 1000 : chunkBytes
        const answer = await sendOversized(`${instances[sent++ % instances.length]}${route.path}`, {
          method: route.method,
          headers: route.headers,
          totalBytes: route.limit + overBy,
          declareLength,
          chunkBytes: chunk,
          fill,
        }).catch((error: unknown) => ({ status: 599, body: String(error), contentType: undefined }))
        const refused = answer.status === 413 && answer.contentType === 'application/problem+json'
        // Anything but a 413 problem is a failure here: reported as a server error with what it was.
        return refused ? { status: 413, body: '' } : { status: 599, body: `${route.method} ${route.path}: ${answer.status} ${answer.body}` }
      },
    })
    assert.deepEqual(result.serverErrors, [], describeServerErrors(result))
    assert.equal(result.statuses[413], result.runs)
  })

  test('rotating X-Forwarded-For (and the socket-address header) on a rate-limited server: one client, never a 5xx', async () => {
    // An instance of its own with a low challenge limit; everything else as the suite's.
    const limit = 40
    const port = await freePort()
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-hostile-xff-'))
    let app: RunningApp | null = null
    try {
      app = await startApp({
        port,
        quiet: true,
        env: { ...stack.env, DATA_DIR: dataDir, PUBLIC_URL: `http://127.0.0.1:${port}`, RATE_LIMIT_CHALLENGES_PER_MINUTE: String(limit) },
      })
      const url = `${app.url}/api/examples/joke`
      const result = await campaign({
        name: 'X-Forwarded-For rotation',
        runs: Math.min(fuzzRuns, 2_000),
        arbitrary: fc.record({ xff: forwardedFor, spoofSocket: fc.option(forwardedFor, { freq: 3 }) }),
        send: async ({ xff, spoofSocket }) => {
          const headers: Record<string, string> = {
            'x-forwarded-for': xff,
            ...(spoofSocket === null ? {} : { 'x-tollgate-socket-address': spoofSocket }),
          }
          const response = await fetch(url, { headers }).catch((error: unknown) => unsent(error))
          if (!(response instanceof Response)) return response
          return { status: response.status, body: await response.text() }
        },
      })
      assert.deepEqual(result.serverErrors, [], describeServerErrors(result))
      // One client: its limit, twice at most if the run straddled a minute window — never one per header value.
      const answered = result.runs - (result.statuses[0] ?? 0)
      assert.ok((result.statuses[402] ?? 0) <= 2 * limit, `402s: ${result.statuses[402]} for a limit of ${limit}`)
      assert.ok((result.statuses[429] ?? 0) >= answered - 2 * limit, `429s: ${result.statuses[429]} of ${answered}`)
    } finally {
      await app?.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  test('after all that, no log line holds a credential, a private key or a secret', () => {
    console.log(`# kept-alive sockets closed under a request and retried once: ${reusedSocketRaces}`)
    assert.ok(secrets.length >= 10)
    for (const [i, app] of stack.apps.entries()) {
      const logs = app.logs()
      assert.match(logs, /Next\.js/, 'the app output is captured (so searching it proves something)')
      for (const secret of secrets)
        assert.ok(!logs.includes(secret), `instance ${i} logged a secret or credential (${secret.slice(0, 6)}…)`)
      assert.doesNotMatch(logs, /Payment\s+eyJ|eyJ[A-Za-z0-9_-]{40,}/, `instance ${i} logged something shaped like a credential`)
      assert.doesNotMatch(logs, /whsec_|sk_test_|rk_test_/, `instance ${i} logged a Stripe secret`)
      assert.ok(!logs.toLowerCase().includes(anvilPrivateKey(0).slice(2).toLowerCase()), `instance ${i} logged the settler key`)
    }
  })
})

/**
 * A request that got no answer. A dropped connection is the server failing (counted as a 5xx); anything
 * else is fetch refusing to send the input at all (a header value it cannot encode), status 0.
 */
function unsent(error: unknown): Sent {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  if (error instanceof TypeError && error.message === 'fetch failed')
    return { status: 599, body: `connection failed: ${cause?.code ?? ''} ${cause?.message ?? ''}` }
  return { status: 0, body: String(error) }
}

/** The service links the gateway cases call: priced /v1/**, free /free/**, and a JSON-RPC table on its sibling. */
async function createServiceLinks(base: string, session: string, upstreamUrl: string): Promise<void> {
  const links = [
    {
      slug: 'fz-svc',
      title: 'Fuzzed API',
      price: '0.02',
      rails: ['evm'],
      resource: {
        kind: 'service',
        upstreamUrl: `${upstreamUrl}/api`,
        pricing: {
          rules: [
            { method: 'GET', path: '/free/**', price: 'free' },
            { method: '*', path: '/v1/**', price: '0.01', settle: 'after-success' },
          ],
          jsonRpc: null,
          settle: 'before',
        },
        secretHeader: { name: 'X-Api-Key', value: serviceApiKey },
      },
    },
    {
      slug: 'fz-rpc',
      title: 'Fuzzed JSON-RPC',
      price: '0.02',
      rails: ['evm'],
      resource: {
        kind: 'service',
        upstreamUrl: `${upstreamUrl}/rpc`,
        pricing: {
          rules: [],
          jsonRpc: { methods: { eth_blockNumber: 'free', eth_call: '0.0001' }, default: '0.002' },
          settle: 'after-success',
        },
        secretHeader: { name: 'X-Api-Key', value: serviceApiKey },
      },
    },
  ]
  for (const link of links) {
    const response = await fetch(`${base}/api/dashboard/links`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: session, origin: base },
      body: JSON.stringify(link),
    })
    if (response.status !== 201) throw new Error(`could not create ${link.slug}: ${response.status} ${await response.text()}`)
  }
}

/** Signs in as the owner of `key` over HTTP and returns the session cookie (`name=value`). */
async function signIn(base: string, key: Hex): Promise<string> {
  const account = privateKeyToAccount(key)
  const issued = (await (await fetch(`${base}/api/dashboard/auth/nonce`, { method: 'POST' })).json()) as {
    nonce: string
    chainId: number
    domain: string
    uri: string
  }
  const { createSiweMessage } = await import('viem/siwe')
  const message = createSiweMessage({
    address: account.address,
    chainId: issued.chainId,
    domain: issued.domain,
    uri: `${issued.uri}/signin`,
    nonce: issued.nonce,
    version: '1',
    issuedAt: new Date(),
  })
  const response = await fetch(`${base}/api/dashboard/auth/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message, signature: await account.signMessage({ message }) }),
  })
  if (!response.ok) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`)
  return response.headers.get('set-cookie')!.split(';')[0]!
}
