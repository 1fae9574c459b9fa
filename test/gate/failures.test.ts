// Issue 4 acceptance: every way a payment can be wrong gets the spec's status and problem type,
// `Cache-Control: no-store`, and (on 402) fresh challenges — and nothing moves on chain.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import * as Links from '@/lib/links'
import * as Merchants from '@/lib/merchants'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Credential from '@/lib/protocol/Credential'
import * as PaymentSignature from '@/lib/protocol/x402/PaymentSignature'
import { type DbHandle, openDb } from '@/lib/store/db'
import { anvilAccount } from '@/scripts/chain/deploy'
import { createDatabase, postgresInstalled, startPostgres, type PostgresServer } from '@/test/support/postgres'
import { type Stack, startStack } from '@/test/support/stack'
import { type Ledger, ledger } from './internal/ledger'
import { mppCredentialFor, x402SignatureFor } from './internal/payers'
import { assertProblem } from './internal/problems'

// Links are edited in the database while the app runs, which needs a shared server (PGlite is single-process).
const withPostgres = postgresInstalled()
if (!withPostgres)
  console.warn('\n!!! gate failures suite: PostgreSQL is not installed; the inactive/expired/sold-out link tests are SKIPPED !!!\n')
const dbSkip = withPostgres ? false : 'PostgreSQL is not installed (apt-get install postgresql)'

describe('payment failures get the spec status, problem type and fresh challenges', () => {
  let server: PostgresServer | null = null
  let stack: Stack
  let store: DbHandle | null = null
  let chain: Ledger
  let secret: string
  let merchantBalance: bigint

  before(async () => {
    let databaseUrl: string | undefined
    if (withPostgres) {
      server = await startPostgres()
      if (server) databaseUrl = await createDatabase(server, `gate_${randomBytes(6).toString('hex')}`)
    }
    stack = await startStack(databaseUrl ? { databaseUrl } : {})
    if (databaseUrl) store = await openDb({ databaseUrl })
    chain = ledger(stack.chain)
    secret = stack.env.MPP_SECRET_KEY!
    merchantBalance = await chain.balanceOf(stack.merchant)
  })
  after(async () => {
    await store?.close()
    await stack?.stop()
    await server?.stop()
  })

  /** A fresh 402 for `path` and a valid mppx credential for it (not yet sent). */
  async function credentialFor(
    path: string,
    payer: number,
    init?: RequestInit,
  ): Promise<{ header: string; credential: Credential.Credential }> {
    const response = await fetch(`${stack.url}${path}`, init)
    assert.equal(response.status, 402)
    const header = await mppCredentialFor(anvilAccount(payer), response)
    return { header, credential: Credential.deserialize(header) }
  }

  /** A credential whose challenge this server could have issued (HMAC with its secret), with `changes` applied. */
  function forgedWithSecret(base: Credential.Credential, changes: Partial<Omit<Challenge.Challenge, 'id'>>): string {
    const fields = { ...base.challenge, ...changes }
    return Credential.serialize({ challenge: Challenge.create({ ...fields, secret }), payload: base.payload })
  }

  test('a tampered amount or recipient in the echoed challenge: 402 invalid-challenge (binding fails)', async () => {
    const { credential } = await credentialFor('/l/demo', 1)
    for (const request of [
      { ...credential.challenge.request, amount: '1' },
      { ...credential.challenge.request, recipient: anvilAccount(9).address },
    ]) {
      const tampered = Credential.serialize({ challenge: { ...credential.challenge, request }, payload: credential.payload })
      const response = await fetch(`${stack.url}/l/demo`, { headers: { authorization: tampered } })
      await assertProblem(response, { status: 402, code: 'invalid-challenge', secret, notIds: [credential.challenge.id] })
    }
  })

  test('a challenge for another resource, realm or price: 402 invalid-challenge', async () => {
    const { header, credential } = await credentialFor('/l/demo', 1)
    // A genuine /l/demo credential presented at another priced URL.
    const elsewhere = await fetch(`${stack.url}/api/examples/joke`, { headers: { authorization: header } })
    await assertProblem(elsewhere, { status: 402, code: 'invalid-challenge', secret })
    // Bound with our secret but for another realm, or a price the link no longer has.
    for (const changes of [{ realm: 'evil.example' }, { request: { ...credential.challenge.request, amount: '1' } }]) {
      const response = await fetch(`${stack.url}/l/demo`, { headers: { authorization: forgedWithSecret(credential, changes) } })
      await assertProblem(response, { status: 402, code: 'invalid-challenge', secret })
    }
  })

  test('an expired challenge: 402 payment-expired with a fresh, unexpired challenge', async () => {
    const { credential } = await credentialFor('/l/demo', 1)
    const expired = forgedWithSecret(credential, { expires: new Date(Date.now() - 1_000).toISOString() })
    const response = await fetch(`${stack.url}/l/demo`, { headers: { authorization: expired } })
    await assertProblem(response, { status: 402, code: 'payment-expired', secret })
  })

  test('malformed credentials: 402 malformed-credential', async () => {
    const json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const { header } = await credentialFor('/l/demo', 1)
    const cases: Array<Record<string, string>> = [
      { authorization: 'Payment !!!not-base64url!!!' },
      { authorization: 'Payment' },
      { authorization: `Payment ${json({ hello: 'world' })}` },
      { authorization: `Payment ${json({ challenge: { id: 'x' }, payload: {} })}` },
      { authorization: `Payment ${Buffer.from('not json').toString('base64url')}` },
      { authorization: `${header}, ${header}` },
      { 'payment-authorization': 'Payment %%%' },
      { 'payment-signature': 'not base64 at all %%%' },
      { 'payment-signature': Buffer.from('{"x402Version":2}').toString('base64') },
    ]
    for (const headers of cases) {
      const response = await fetch(`${stack.url}/l/demo`, { headers })
      await assertProblem(response, { status: 402, code: 'malformed-credential', secret })
    }
  })

  test('a payment method or intent this resource does not accept: 400 method-unsupported', async () => {
    const { credential } = await credentialFor('/l/demo', 1)
    for (const changes of [{ method: 'stripe' }, { method: 'tempo' }, { intent: 'session' }]) {
      const response = await fetch(`${stack.url}/l/demo`, { headers: { authorization: forgedWithSecret(credential, changes) } })
      await assertProblem(response, { status: 400, code: 'method-unsupported', secret })
    }
  })

  test('an x402 payment whose accepted requirements were altered: 402 verification-failed', async () => {
    const response = await fetch(`${stack.url}/l/demo`)
    const signature = PaymentSignature.decode(await x402SignatureFor(anvilAccount(2), stack.chain, response))
    const altered = PaymentSignature.encode({ ...signature, accepted: { ...signature.accepted, amount: '1' } })
    const rejected = await fetch(`${stack.url}/l/demo`, { headers: { 'payment-signature': altered } })
    await assertProblem(rejected, { status: 402, code: 'verification-failed', secret })
  })

  test('a POST body swapped after the challenge: 402 verification-failed; the credential still pays for the original body', async () => {
    const original = JSON.stringify({ text: 'Pay for this text. Not another one.' })
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${stack.url}/api/examples/summarize`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
    const { header, credential } = await credentialFor('/api/examples/summarize', 3, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: original,
    })
    assert.ok(credential.challenge.digest, 'the POST challenge binds the body digest')

    const swapped = await post(JSON.stringify({ text: 'A much longer text the payer never paid to summarize.' }), { authorization: header })
    await assertProblem(swapped, { status: 402, code: 'verification-failed', secret })
    const empty = await fetch(`${stack.url}/api/examples/summarize`, { method: 'POST', headers: { authorization: header } })
    await assertProblem(empty, { status: 402, code: 'verification-failed', secret })

    const before = await chain.balanceOf(stack.merchant)
    const paid = await post(original, { authorization: header })
    assert.equal(paid.status, 200, await paid.clone().text())
    assert.equal(await chain.balanceOf(stack.merchant), before + 20_000n)
    merchantBalance += 20_000n
  })

  test('unknown links: 404 problem, no challenge', async () => {
    for (const slug of ['no-such-link', 'x', 'DEMO-NOPE', '..%2F..%2Fetc', 'a'.repeat(200)]) {
      const response = await fetch(`${stack.url}/l/${slug}`)
      await assertProblem(response, { status: 404, secret })
    }
  })

  test('HEAD behaves like GET without a body; other HTTP methods are not allowed', async () => {
    const head = await fetch(`${stack.url}/l/demo`, { method: 'HEAD' })
    assert.equal(head.status, 402)
    assert.equal(head.headers.get('cache-control'), 'no-store')
    assert.ok(Challenge.deserializeList(head.headers.get('www-authenticate') ?? '').length >= 1)
    assert.equal((await head.text()).length, 0)
    const post = await fetch(`${stack.url}/l/demo`, { method: 'POST', body: '{}' })
    assert.equal(post.status, 405)
  })

  describe('links that cannot be sold', { skip: dbSkip }, () => {
    async function demoMerchantId(): Promise<string> {
      return (await Merchants.ensureMerchant(store!.db, stack.merchant)).id
    }
    const inline = { kind: 'inline', contentType: 'application/json', body: '{"ok":true}' }

    test('an inactive link: 410, and a credential paid before deactivation is not settled', async () => {
      const merchantId = await demoMerchantId()
      const link = await Links.createLink(store!.db, merchantId, { title: 'Soon off', price: '0.01', rails: ['evm'], resource: inline })
      const { header } = await credentialFor(`/l/${link.slug}`, 4)
      await Links.setLinkActive(store!.db, merchantId, link.id, false)
      // A request carrying a credential reads the link fresh: refused at once, nothing settles.
      await assertProblem(await fetch(`${stack.url}/l/${link.slug}`, { headers: { authorization: header } }), { status: 410, secret })
      // Unpaid requests may be answered from the per-process link cache for up to its 2 s TTL.
      await new Promise((resolve) => setTimeout(resolve, 2_100))
      await assertProblem(await fetch(`${stack.url}/l/${link.slug}`), { status: 410, secret })
    })

    test('an expired link: 410', async () => {
      const merchantId = await demoMerchantId()
      const link = await Links.createLink(store!.db, merchantId, {
        title: 'Brief',
        price: '0.01',
        rails: ['evm'],
        resource: inline,
        expiresAt: new Date(Date.now() + 1_500),
      })
      assert.equal((await fetch(`${stack.url}/l/${link.slug}`)).status, 402)
      await new Promise((resolve) => setTimeout(resolve, 1_600))
      await assertProblem(await fetch(`${stack.url}/l/${link.slug}`), { status: 410, secret })
    })

    test('a sold-out link: the last payment is delivered, then 410', async () => {
      const merchantId = await demoMerchantId()
      const link = await Links.createLink(store!.db, merchantId, {
        title: 'Only one',
        price: '0.01',
        rails: ['evm'],
        resource: inline,
        maxPayments: 1,
      })
      const { header } = await credentialFor(`/l/${link.slug}`, 5)
      const paid = await fetch(`${stack.url}/l/${link.slug}`, { headers: { authorization: header } })
      assert.equal(paid.status, 200, await paid.clone().text())
      merchantBalance += 10_000n
      await assertProblem(await fetch(`${stack.url}/l/${link.slug}`), { status: 410, secret })
    })

    test('the last slot of a capped link, bought by four payers at once: one 200 and one transfer, three 410s', async () => {
      const merchantId = await demoMerchantId()
      const link = await Links.createLink(store!.db, merchantId, {
        title: 'Last one',
        price: '0.01',
        rails: ['evm'],
        resource: inline,
        maxPayments: 1,
      })
      const headers = await Promise.all([6, 7, 8, 9].map(async (payer) => (await credentialFor(`/l/${link.slug}`, payer)).header))
      const before = await chain.balanceOf(stack.merchant)
      const responses = await Promise.all(
        headers.map((authorization) => fetch(`${stack.url}/l/${link.slug}`, { headers: { authorization } })),
      )
      assert.deepEqual(responses.map((r) => r.status).sort(), [200, 410, 410, 410])
      assert.equal(await chain.balanceOf(stack.merchant), before + 10_000n)
      merchantBalance += 10_000n
    })
  })

  test('none of the rejected payments moved money', async () => {
    assert.equal(await chain.balanceOf(stack.merchant), merchantBalance)
  })
})
