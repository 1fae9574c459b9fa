// Hostile inputs for each entry point of a running Tollgate: payment credentials, Accept-Payment,
// Stripe webhook deliveries, dashboard link forms and Sign-In with Ethereum messages. Each arbitrary
// mixes noise with mutations of genuine values, so cases reach every check, not only the first.
import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import * as Credential from '@/lib/protocol/Credential'
import type * as PaymentSignature from '@/lib/protocol/x402/PaymentSignature'
import { base64, base64url, headerText, hex, jsonish, jsonText, mutated, mutatedRepeatedly, nastyScalar } from './arbitraries'

// ---- Payment credentials ------------------------------------------------------------------------

/** Values for `Authorization` / `Payment-Authorization` around genuine credentials. */
export function mppAuthorization(seeds: Credential.Credential[]): fc.Arbitrary<string> {
  const seed = fc.constantFrom(...seeds)
  const wire = (c: Credential.Credential) =>
    JSON.parse(Buffer.from(Credential.serialize(c).slice('Payment '.length), 'base64url').toString('utf8')) as Record<string, unknown>
  // The genuine challenge as sent (binding intact) around any payload; plain JSON, since JCS refuses some of them.
  const withPayload = (c: Credential.Credential, payload: unknown) => `Payment ${base64url(jsonText({ ...wire(c), payload }))}`
  const scheme = fc.constantFrom('Payment', 'payment', 'PAYMENT', 'Payment ', 'Bearer', 'Basic', 'Payment  ', '')
  return fc.oneof(
    headerText(),
    fc.tuple(scheme, headerText()).map(([s, v]) => `${s} ${v}`),
    fc.tuple(scheme, fc.jsonValue({ maxDepth: 4 })).map(([s, v]) => `${s} ${base64url(jsonText(v))}`),
    // The genuine credential, one member anywhere changed: breaks shape, binding or signature.
    seed.chain((c) => mutatedRepeatedly(wire(c))).map((w) => `Payment ${base64url(jsonText(w))}`),
    // The genuine, bound challenge with an arbitrary payload: reaches the EVM rail's own checks.
    seed.chain((c) => mutatedRepeatedly(c.payload).map((payload) => withPayload(c, payload))),
    seed.chain((c) =>
      fc
        .oneof(
          fc.record({ type: fc.constant('hash'), hash: hex(0, 70) }),
          fc.record({ type: fc.constant('transaction'), signature: hex(0, 400) }),
          fc.record(
            {
              type: fc.constantFrom('authorization', 'permit2', 'x', ''),
              signature: hex(0, 200),
              from: fc.oneof(hex(40, 40), nastyScalar),
              to: fc.oneof(hex(40, 40), nastyScalar),
              value: nastyScalar,
              nonce: fc.oneof(hex(64, 64), nastyScalar),
              validAfter: nastyScalar,
              validBefore: nastyScalar,
            },
            { requiredKeys: ['type'] },
          ),
        )
        .map((payload) => withPayload(c, payload)),
    ),
    // Encoding tricks around a genuine value: padding, standard alphabet, whitespace, two values.
    seed
      .map((c) => Credential.serialize(c))
      .chain((value) =>
        fc.constantFrom(
          `${value}==`,
          value.replace(/-/g, '+').replace(/_/g, '/'),
          `${value}, ${value}`,
          value.slice(0, value.length / 2),
          `${value} extra`,
          value.toLowerCase(),
        ),
      ),
  )
}

/** Values for x402's `PAYMENT-SIGNATURE` around genuine payment payloads. */
export function paymentSignature(seeds: PaymentSignature.PaymentPayload[]): fc.Arbitrary<string> {
  const seed = fc.constantFrom(...seeds)
  const encode = fc.constantFrom(base64, base64url, (text: string) => text)
  return fc.oneof(
    headerText(),
    fc.tuple(fc.jsonValue({ maxDepth: 4 }), encode).map(([v, e]) => e(jsonText(v))),
    fc
      .tuple(
        seed.chain((p) => mutatedRepeatedly(p)),
        encode,
      )
      .map(([p, e]) => e(jsonText(p))),
    seed.chain((p) =>
      fc
        .record({
          from: fc.oneof(hex(40, 40), nastyScalar),
          to: fc.oneof(hex(40, 40), nastyScalar),
          value: nastyScalar,
          validAfter: nastyScalar,
          validBefore: nastyScalar,
          nonce: fc.oneof(hex(64, 64), nastyScalar),
          signature: hex(0, 200),
        })
        .map(({ signature, ...authorization }) =>
          base64(
            jsonText({
              ...p,
              payload: { signature, authorization: { ...(p.payload as { authorization: object }).authorization, ...authorization } },
            }),
          ),
        ),
    ),
    seed.map((p) => base64(jsonText(p))).chain((value) => fc.constantFrom(`${value}=`, `${value} `, value.slice(1), `${value},${value}`)),
  )
}

/** `Accept-Payment` values: well-formed lists with odd weights, and noise. */
export const acceptPayment: fc.Arbitrary<string> = fc.oneof(
  headerText(),
  fc
    .array(
      fc.tuple(
        fc.constantFrom('evm', 'stripe', '*', 'tempo', 'EVM', '', 'evm/', '/'),
        fc.constantFrom('charge', '*', 'session', '', 'CHARGE'),
        fc.option(
          fc.oneof(
            fc.double({ min: -2, max: 3 }).map(String),
            fc.string({ maxLength: 6 }),
            fc.constantFrom('0', '1', '0.000', '1.0001', '1e-3', 'NaN'),
          ),
        ),
        fc.option(fc.string({ maxLength: 8 })),
      ),
      { maxLength: 40 },
    )
    .map((entries) =>
      entries.map(([m, i, q, extra]) => `${m}/${i}${q === null ? '' : `;q=${q}`}${extra === null ? '' : `;${extra}`}`).join(', '),
    ),
)

// ---- Stripe webhooks ----------------------------------------------------------------------------

export type WebhookCase = { body: string; signature: string | null; contentType: string }

/** Stripe's signature scheme: v1 = HMAC-SHA256(secret, `${t}.${body}`). */
export function stripeSignature(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/** Events shaped like Stripe's, for PaymentIntents of ours (with our metadata) and refunds. */
export function stripeEvents(links: { id: string; slug: string }[]): unknown[] {
  const now = Math.floor(Date.now() / 1000)
  const intent = (id: string, metadata: Record<string, string>) => ({
    id,
    object: 'payment_intent',
    amount: 50,
    amount_received: 50,
    currency: 'usd',
    status: 'succeeded',
    livemode: false,
    created: now,
    metadata,
  })
  const event = (id: string, type: string, object: unknown) => ({
    id,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: now,
    livemode: false,
    pending_webhooks: 1,
    type,
    data: { object },
  })
  const prepared = {
    payment_id: `pay_${'A'.repeat(22)}`,
    grant_token_hash: 'B'.repeat(43),
    resource_key: `link:${links[0]!.id}`,
    price_usd: '0.50',
  }
  return [
    event('evt_fuzz_1', 'payment_intent.succeeded', intent('pi_fuzz_1', { challenge_id: 'c1', link_id: links[0]!.id, ...prepared })),
    event('evt_fuzz_2', 'payment_intent.succeeded', intent('pi_fuzz_2', { challenge_id: 'c2', link_id: links[1]?.id ?? 'lnk_x' })),
    event(
      'evt_fuzz_3',
      'payment_intent.succeeded',
      intent('pi_fuzz_3', { challenge_id: 'c3', link_id: 'route:/api/examples/joke', resource_key: 'route:/api/examples/joke' }),
    ),
    event('evt_fuzz_4', 'charge.refunded', {
      id: 'ch_fuzz',
      object: 'charge',
      payment_intent: 'pi_fuzz_1',
      amount: 50,
      amount_refunded: 50,
      refunded: true,
      currency: 'usd',
    }),
    event('evt_fuzz_5', 'charge.refunded', {
      id: 'ch_fuzz2',
      object: 'charge',
      payment_intent: { id: 'pi_fuzz_2' },
      amount: 50,
      amount_refunded: 10,
      refunded: false,
    }),
    event('evt_fuzz_6', 'customer.created', { id: 'cus_1', object: 'customer' }),
  ]
}

export function webhookCase(secret: string, events: unknown[]): fc.Arbitrary<WebhookCase> {
  const body = fc.oneof(
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map(jsonText) },
    {
      weight: 5,
      arbitrary: fc
        .constantFrom(...events)
        .chain((e) => mutatedRepeatedly(e, 4))
        .map(jsonText),
    },
    // Fresh event ids, so the dedup table does not swallow the handler.
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...events), fc.string({ minLength: 1, maxLength: 20 }))
        .chain(([e, id]) => mutated({ ...(e as object), id: `evt_${id}` }))
        .map(jsonText),
    },
  )
  const signature = (text: string) =>
    fc.oneof(
      { weight: 6, arbitrary: fc.constant(stripeSignature(secret, text)) },
      { weight: 1, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: headerText() },
      {
        weight: 1,
        arbitrary: fc
          .integer({ min: -10, max: 10_000_000 })
          .map((age) => stripeSignature(secret, text, Math.floor(Date.now() / 1000) - age)),
      },
      { weight: 1, arbitrary: fc.constant(stripeSignature('whsec_not_the_secret', text)) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(headerText(40), hex(64, 64))
          .map(([junk, mac]) => `${stripeSignature(secret, text)},v1=${mac.slice(2)},${junk}`),
      },
      { weight: 1, arbitrary: fc.constant(stripeSignature(secret, text).replace('t=', 't=-')) },
    )
  return body.chain((text) =>
    fc.record({
      body: fc.constant(text),
      signature: signature(text),
      contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', ''),
    }),
  )
}

// ---- Dashboard link forms -----------------------------------------------------------------------

export type LinkFormCase = {
  method: 'POST' | 'PATCH' | 'GET' | 'DELETE'
  id: string | null
  body: string | null
  contentType: string
  origin: 'ours' | 'foreign' | 'none'
  session: 'merchant' | 'none' | 'forged'
}

export function linkInputs(recipient: string, fileId: string): unknown[] {
  const future = new Date(Date.now() + 86_400_000).toISOString()
  return [
    {
      title: 'Fuzz JSON',
      price: '0.05',
      rails: ['evm'],
      recipient,
      resource: { kind: 'inline', contentType: 'application/json', body: '{"ok":true}' },
      accessPolicy: { kind: 'once' },
    },
    {
      title: 'Fuzz text',
      description: 'plain',
      price: '1.25',
      rails: ['evm', 'stripe'],
      recipient,
      resource: { kind: 'inline', contentType: 'text/plain', body: 'hello' },
      accessPolicy: { kind: 'window', minutes: 60 },
      maxPayments: 5,
      expiresAt: future,
    },
    {
      title: 'Fuzz redirect',
      price: '0.01',
      rails: ['evm'],
      recipient,
      resource: { kind: 'redirect', url: 'https://example.com/x?y=1' },
      accessPolicy: { kind: 'window', minutes: 1 },
    },
    {
      title: 'Fuzz proxy',
      price: '2',
      rails: ['evm'],
      recipient,
      resource: { kind: 'proxy', url: 'http://127.0.0.1:1/api' },
      accessPolicy: { kind: 'once' },
      slug: 'fuzz-proxy-slug',
    },
    { title: 'Fuzz file', price: '0.10', rails: ['evm'], recipient, resource: { kind: 'file', fileId }, accessPolicy: { kind: 'once' } },
    { active: false },
    { title: 'Renamed', price: '0.20' },
  ]
}

export function linkFormCase(inputs: unknown[], linkIds: string[]): fc.Arbitrary<LinkFormCase> {
  const body = fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .constantFrom(...inputs)
        .chain((input) => mutatedRepeatedly(input, 4))
        .map(jsonText),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map(jsonText) },
    { weight: 1, arbitrary: fc.string({ maxLength: 100 }) },
    { weight: 1, arbitrary: fc.constantFrom(...inputs).map(jsonText) },
  )
  const id = fc.oneof(
    fc.constantFrom(...linkIds),
    fc.string({ maxLength: 40 }).map(encodeURIComponent),
    fc.constantFrom('..', '%00', '%2e%2e', 'lnk_' + 'x'.repeat(300), '%F0%9F%92%A9', '%ZZ'),
  )
  return fc
    .oneof(
      { weight: 5, arbitrary: fc.record({ method: fc.constant('POST' as const), id: fc.constant(null), body }) },
      { weight: 4, arbitrary: fc.record({ method: fc.constant('PATCH' as const), id, body }) },
      { weight: 1, arbitrary: fc.record({ method: fc.constantFrom('GET' as const, 'DELETE' as const), id, body: fc.constant(null) }) },
    )
    .chain((request) =>
      fc.record({
        method: fc.constant(request.method),
        id: fc.constant(request.id),
        body: fc.constant(request.body),
        contentType: fc.constantFrom('application/json', 'application/json', 'text/plain', 'multipart/form-data; boundary=x', ''),
        origin: fc.constantFrom('ours' as const, 'ours' as const, 'none' as const, 'foreign' as const),
        session: fc.constantFrom('merchant' as const, 'merchant' as const, 'merchant' as const, 'none' as const, 'forged' as const),
      }),
    )
}

// ---- Sign-In with Ethereum ----------------------------------------------------------------------

export type SiweFields = {
  domain: string
  address: string
  statement: string | null
  uri: string
  version: string
  chainId: string
  nonce: string
  issuedAt: string | null
  expirationTime: string | null
  notBefore: string | null
  requestId: string | null
  resources: string[] | null
}

/** EIP-4361 text from fields, without validating them (viem's builder would refuse bad ones). */
export function siweText(f: SiweFields): string {
  const lines = [`${f.domain} wants you to sign in with your Ethereum account:`, f.address, '']
  if (f.statement !== null) lines.push(f.statement, '')
  lines.push(`URI: ${f.uri}`, `Version: ${f.version}`, `Chain ID: ${f.chainId}`, `Nonce: ${f.nonce}`)
  if (f.issuedAt !== null) lines.push(`Issued At: ${f.issuedAt}`)
  if (f.expirationTime !== null) lines.push(`Expiration Time: ${f.expirationTime}`)
  if (f.notBefore !== null) lines.push(`Not Before: ${f.notBefore}`)
  if (f.requestId !== null) lines.push(`Request ID: ${f.requestId}`)
  if (f.resources !== null) lines.push('Resources:', ...f.resources.map((r) => `- ${r}`))
  return lines.join('\n')
}

const signerKeys: Hex[] = [
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  `0x${'11'.repeat(32)}`,
]

export type SiweCase = { body: string; contentType: string }

export function siweCase(server: { host: string; origin: string; chainId: number }, nonces: string[]): fc.Arbitrary<SiweCase> {
  const date = fc.oneof(
    fc.date({ min: new Date(0), max: new Date(Date.UTC(9999, 0, 1)), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom(
      new Date(Date.now() + 600_000).toISOString(),
      new Date(Date.now() - 600_000).toISOString(),
      'yesterday',
      '',
      '2026-13-45T99:99:99Z',
      '+275760-09-13T00:00:00.000Z',
    ),
  )
  const fields = (signer: string): fc.Arbitrary<SiweFields> =>
    fc.record({
      domain: fc.oneof(
        { weight: 4, arbitrary: fc.constant(server.host) },
        { weight: 1, arbitrary: fc.constantFrom('evil.example', `${server.host}.evil`, '', 'localhost') },
        { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
      ),
      address: fc.oneof(
        { weight: 6, arbitrary: fc.constant(signer) },
        { weight: 1, arbitrary: fc.constant(signer.toLowerCase()) },
        { weight: 1, arbitrary: hex(40, 40) },
        { weight: 1, arbitrary: fc.string({ maxLength: 45 }) },
      ),
      statement: fc.option(fc.oneof(fc.constant('Sign in to the Tollgate merchant dashboard.'), fc.string({ maxLength: 80 }))),
      uri: fc.oneof(
        { weight: 4, arbitrary: fc.constant(`${server.origin}/signin`) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'https://evil.example/',
            'javascript:alert(1)',
            'not a uri',
            `${server.origin.replace('http', 'https')}/`,
          ),
        },
        { weight: 1, arbitrary: fc.webUrl() },
      ),
      version: fc.constantFrom('1', '1', '1', '2', '', 'x'),
      chainId: fc.oneof({ weight: 4, arbitrary: fc.constant(String(server.chainId)) }, { weight: 1, arbitrary: nastyScalar.map(String) }),
      nonce: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...nonces) },
        { weight: 1, arbitrary: fc.string({ maxLength: 100 }) },
        { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9]{8,96}$/) },
      ),
      issuedAt: fc.option(date),
      expirationTime: fc.option(date),
      notBefore: fc.option(date, { freq: 4 }),
      requestId: fc.option(fc.string({ maxLength: 20 }), { freq: 4 }),
      resources: fc.option(fc.array(fc.oneof(fc.webUrl(), fc.string({ maxLength: 20 })), { maxLength: 3 }), { freq: 4 }),
    })
  // The text itself, sometimes tampered with after the fact (a line dropped, doubled or rewritten).
  const text = (signer: string) =>
    fields(signer).chain((f) =>
      fc.oneof(
        { weight: 5, arbitrary: fc.constant(siweText(f)) },
        {
          weight: 2,
          arbitrary: fc
            .tuple(fc.nat(), fc.constantFrom('drop', 'double', 'replace', 'crlf'), fc.string({ maxLength: 40 }))
            .map(([at, how, junk]) => {
              const lines = siweText(f).split('\n')
              const i = at % lines.length
              if (how === 'drop') lines.splice(i, 1)
              else if (how === 'double') lines.splice(i, 0, lines[i]!)
              else if (how === 'replace') lines[i] = junk
              return how === 'crlf' ? lines.join('\r\n') : lines.join('\n')
            }),
        },
        { weight: 1, arbitrary: fc.string({ maxLength: 600 }) },
        { weight: 1, arbitrary: fc.constant(siweText(f).repeat(2)) },
      ),
    )
  const signed = fc
    .constantFrom(...signerKeys.map((key) => ({ key, address: privateKeyToAccount(key).address })))
    .chain(({ key, address }) =>
      text(address).chain((message) =>
        fc.oneof(
          { weight: 3, arbitrary: fc.constant({ message, signature: 'sign' as unknown, key: key as Hex | null }) },
          {
            weight: 2,
            arbitrary: fc
              .oneof(hex(0, 200), hex(130, 130), nastyScalar)
              .map((signature) => ({ message, signature, key: null as Hex | null })),
          },
        ),
      ),
    )
  const body = fc.oneof(
    { weight: 8, arbitrary: signed.map((s) => ({ kind: 'siwe' as const, ...s })) },
    { weight: 1, arbitrary: mutated({ message: 'x', signature: '0x00' }).map((value) => ({ kind: 'json' as const, value })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 100 }).map((value) => ({ kind: 'raw' as const, value })) },
  )
  return fc
    .record({ body, contentType: fc.constantFrom('application/json', 'application/json', 'text/plain', '') })
    .map(({ body, contentType }) => ({ body: JSON.stringify(body), contentType }))
}

/** Turns a drawn SIWE case into the request body (signing here keeps sampling cheap and pure). */
export async function siweBody(drawn: string): Promise<string> {
  const body = JSON.parse(drawn) as
    | { kind: 'siwe'; message: string; signature: unknown; key: Hex | null }
    | { kind: 'json'; value: unknown }
    | { kind: 'raw'; value: string }
  if (body.kind === 'raw') return body.value
  if (body.kind === 'json') return jsonText(body.value)
  const signature = body.key ? await privateKeyToAccount(body.key).signMessage({ message: body.message }) : body.signature
  return jsonText({ message: body.message, signature })
}

// ---- Paths and query strings --------------------------------------------------------------------

export type PathCase = { method: 'GET' | 'POST'; path: string; session: boolean }

/** A path segment as a client may send it: encoded text, raw percent sequences (valid or not), ids of every shape. */
export const pathSegment: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: 'grapheme', maxLength: 10 }).map(encodeURIComponent),
  fc
    .array(
      fc.oneof(
        fc.constantFrom('%00', '%ZZ', '%C0%AF', '%E0%A4%A', '%FF', '%2F', '%2e%2e', '%25', '%', '%F0%9F%92%A9', '%u0041'),
        fc.stringMatching(/^[A-Za-z0-9_.~-]{0,8}$/),
      ),
      { minLength: 1, maxLength: 6 },
    )
    .map((parts) => parts.join('')),
  fc.stringMatching(/^(pay|lnk|fil|whd|evt)_[A-Za-z0-9_-]{0,70}$/),
  fc.constantFrom('demo', 'DEMO', 'demo-file', 'x'.repeat(600), '..', '.', '-', 'null', 'undefined', '__proto__'),
)

const queryValue = fc.oneof(
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
  pathSegment,
  fc.constantFrom(
    '2026-01-01',
    '9999-12-31',
    '0000-00-00',
    '-1',
    '1e9',
    'evm',
    'stripe',
    'mpp',
    'x402',
    'webhook',
    'succeeded',
    'refunded',
  ),
)
const query = fc
  .array(
    fc.tuple(
      fc.constantFrom('link', 'rail', 'protocol', 'status', 'from', 'to', 'page', 'l', 'limit', 'cursor', 'q', '__proto__', ''),
      queryValue,
    ),
    { maxLength: 6 },
  )
  .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'))

export const pathCase: fc.Arbitrary<PathCase> = fc.oneof(
  { weight: 3, arbitrary: pathSegment.map((s) => ({ method: 'GET' as const, path: `/l/${s}`, session: false })) },
  { weight: 2, arbitrary: pathSegment.map((s) => ({ method: 'GET' as const, path: `/receipts/${s}`, session: false })) },
  { weight: 1, arbitrary: query.map((q) => ({ method: 'GET' as const, path: `/pay?${q}`, session: false })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('links', 'payments', 'files'), pathSegment)
      .map(([kind, s]) => ({ method: 'GET' as const, path: `/api/dashboard/${kind}/${s}`, session: true })),
  },
  {
    weight: 1,
    arbitrary: pathSegment.map((s) => ({ method: 'POST' as const, path: `/api/dashboard/payments/${s}/refund`, session: true })),
  },
  {
    weight: 1,
    arbitrary: pathSegment.map((s) => ({ method: 'POST' as const, path: `/api/dashboard/webhook/deliveries/${s}/resend`, session: true })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.oneof(pathSegment, fc.stringMatching(/^0x[0-9a-f]{64}$/)), fc.constantFrom('settle', 'close'))
      .map(([s, action]) => ({ method: 'POST' as const, path: `/api/dashboard/channels/${s}/${action}`, session: true })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('payments', 'payments/export', 'webhook/deliveries', 'links', 'overview', 'channels'), query)
      .map(([kind, q]) => ({ method: 'GET' as const, path: `/api/dashboard/${kind}?${q}`, session: true })),
  },
)

// ---- Client addresses ---------------------------------------------------------------------------

/** X-Forwarded-For values a client may send to look like someone new: addresses, lists, ports, noise. */
export const forwardedFor: fc.Arbitrary<string> = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc
    .array(
      fc.oneof(
        fc.ipV4(),
        fc.ipV6(),
        fc.ipV4().map((a) => `${a}:${Math.abs(a.length * 977) % 65536}`),
      ),
      { minLength: 1, maxLength: 12 },
    )
    .map((l) => l.join(', ')),
  fc.constantFrom('unknown', '_hidden', '127.0.0.1', '::1', '::ffff:127.0.0.1', '[::1]:80', '0.0.0.0', ',', ', ,', 'for=1.2.3.4'),
  headerText(120),
  fc.array(fc.ipV4(), { minLength: 100, maxLength: 400 }).map((l) => l.join(',')),
)

// ---- Service links (the paid API gateway) ---------------------------------------------------------

export type ServiceCase = {
  method: string
  path: string
  headers: Record<string, string>
  body: string | null
}

const paymentMeta = fc.oneof(
  fc.constant({}),
  fc.constantFrom('x', null, [], 1),
  fc.record({ 'org.paymentauth/credential': jsonish }),
  fc.record({
    'org.paymentauth/credential': fc.record(
      {
        challenge: fc.record(
          {
            id: fc.string({ maxLength: 30 }),
            realm: fc.constant('127.0.0.1'),
            method: fc.constantFrom('evm', 'stripe', 'EVM', ''),
            intent: fc.constantFrom('charge', 'session', 'x'),
            request: fc.oneof(fc.constant({ amount: '1000', currency: '0x0', recipient: '0x0' }), jsonish),
            expires: fc.constantFrom('2030-01-01T00:00:00Z', 'never', ''),
          },
          { requiredKeys: [] },
        ),
        payload: fc.oneof(fc.constant({ type: 'authorization', signature: '0x00' }), jsonish),
        source: fc.string({ maxLength: 20 }),
      },
      { requiredKeys: [] },
    ),
  }),
)

const jsonRpcCall = fc.record(
  {
    jsonrpc: fc.constantFrom('2.0', '1.0', 2),
    id: fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant(null)),
    method: fc.oneof(
      fc.constantFrom('eth_blockNumber', 'eth_chainId', 'eth_call', 'ETH_BLOCKNUMBER', '', '__proto__', 'rpc.discover'),
      fc.string({ maxLength: 140 }),
    ),
    Method: fc.constantFrom('eth_call', 'eth_blockNumber'),
    params: fc.oneof(fc.array(jsonish, { maxLength: 3 }), fc.record({ q: jsonish, _meta: paymentMeta }, { requiredKeys: [] })),
    // The generic JSON-RPC binding: `_meta` asks for JSON-RPC answers and may carry a credential of any shape.
    _meta: paymentMeta,
  },
  { requiredKeys: [] },
)

/** A JSON-RPC body: one call, a batch (empty, huge, mixed), a mutated call, or anything else. */
const jsonRpcBody: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: jsonRpcCall.map(jsonText) },
  { weight: 3, arbitrary: fc.array(jsonRpcCall, { maxLength: 40 }).map(jsonText) },
  { weight: 1, arbitrary: fc.constantFrom('[]', '{}', '', 'null', '[[]]', '{"method":"eth_call","method":"eth_blockNumber"}') },
  {
    weight: 1,
    arbitrary: fc
      .nat({ max: 1200 })
      .map((n) => jsonText(Array.from({ length: n }, (_, id) => ({ jsonrpc: '2.0', id, method: 'eth_call' })))),
  },
  { weight: 2, arbitrary: mutatedRepeatedly({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }).map(jsonText) },
  { weight: 1, arbitrary: fc.string({ maxLength: 100 }) },
)

/** Request headers a payer may send a gateway: allowed, credentials, payment, address and noise (fetch refuses hop-by-hop ones; test/gate/gateway.test.ts sends those with node:http). */
const serviceHeaders: fc.Arbitrary<Record<string, string>> = fc.dictionary(
  fc.constantFrom(
    'accept',
    'accept-encoding',
    'content-encoding',
    'idempotency-key',
    'x-request-id',
    'traceparent',
    'proxy-authorization',
    'cookie',
    'authorization',
    'x-api-key',
    'x-forwarded-for',
    'forwarded',
    'x-tollgate-request-target',
    'accept-payment',
  ),
  headerText(80),
  { maxKeys: 5 },
)

/**
 * Calls to a service link at `base` (its rules price /v1/**, make /free/** free, and the link's JSON-RPC
 * sibling `rpcBase` prices POST bodies): any method, path, query, content type, headers and body.
 */
export function serviceCase(base: string, rpcBase: string): fc.Arbitrary<ServiceCase> {
  const tail = fc.array(pathSegment, { maxLength: 5 }).map((segments) => segments.map((s) => `/${s}`).join(''))
  const path = fc.oneof(
    fc.tuple(fc.constantFrom('/v1', '/free', '', '/V1', '/free/..', '//free'), tail).map(([head, rest]) => `${base}${head}${rest}`),
    tail.map((rest) => `${rpcBase}${rest}`),
  )
  const search = fc.oneof(
    fc.constant(''),
    query.map((q) => `?${q}`),
    fc.constantFrom('?', '?flag', '?a=1&a=2', '?%ZZ', '?x=%00', '??', '?#'),
  )
  return fc.record({
    method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'post'),
    path: fc.tuple(path, search).map(([p, s]) => `${p}${s}`),
    headers: fc
      .tuple(
        serviceHeaders,
        fc.option(
          fc.constantFrom(
            'application/json',
            'application/json-rpc',
            'text/plain',
            'application/vnd.api+json',
            'multipart/form-data',
            'json',
          ),
          { freq: 2 },
        ),
      )
      .map(([headers, contentType]) => (contentType === null ? headers : { ...headers, 'content-type': contentType })),
    body: fc.option(jsonRpcBody, { freq: 4 }),
  })
}
