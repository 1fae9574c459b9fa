// Issue 4 acceptance: the reference clients pay a running server on a real chain. mppx 0.11 pays
// /l/demo and both withPayment example routes; @x402/fetch + @x402/evm pay the same link. Each
// payment is one exact on-chain transfer to the merchant, and the app logs no secret afterwards.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Hex } from 'viem'
import * as Receipt from '@/lib/protocol/Receipt'
import * as PaymentResponse from '@/lib/protocol/x402/PaymentResponse'
import { anvilAccount, anvilPrivateKey } from '@/scripts/chain/deploy'
import { type Stack, startStack } from '@/test/support/stack'
import { type Ledger, baseUnits, ledger } from './internal/ledger'
import { mppxClient, x402Fetch } from './internal/payers'
import { assertProblem } from './internal/problems'
import { type SentCredential, recordingFetch } from './internal/recording-fetch'

describe('the reference clients pay a running Tollgate', () => {
  let stack: Stack
  let chain: Ledger
  const sent: SentCredential[] = []

  before(async () => {
    stack = await startStack()
    chain = ledger(stack.chain)
  })
  after(async () => {
    await stack?.stop()
  })

  /** Pays with `pay` and checks the merchant got exactly `priceUsd` in the one transaction `reference` names. */
  async function assertPaidOnce(priceUsd: string, pay: () => Promise<{ response: Response; reference: Hex }>): Promise<Response> {
    const before = await chain.balanceOf(stack.merchant)
    const { response, reference } = await pay()
    assert.equal(await chain.balanceOf(stack.merchant), before + baseUnits(priceUsd), 'the merchant balance grows by exactly the price')
    const transfers = await chain.transfersIn(reference)
    assert.equal(transfers.length, 1, 'the referenced transaction moves the token once')
    assert.equal(transfers[0]!.to, stack.merchant)
    assert.equal(transfers[0]!.value, baseUnits(priceUsd))
    return response
  }

  async function payWithMppx(
    payerIndex: number,
    url: string,
    init?: RequestInit,
  ): Promise<{ response: Response; reference: Hex; receipt: Receipt.Receipt }> {
    const recorder = recordingFetch()
    const mppx = mppxClient(anvilAccount(payerIndex), { fetch: recorder.fetch })
    const response = await mppx.fetch(url, init)
    sent.push(...recorder.sent)
    assert.equal(response.status, 200, `paid request answered ${response.status}: ${await response.clone().text()}`)
    assert.equal(recorder.sent.length, 1, 'mppx sent exactly one credential')
    assert.equal(recorder.sent[0]!.header, 'authorization')
    assert.equal(response.headers.get('cache-control'), 'private')
    const header = response.headers.get('payment-receipt')
    assert.ok(header, 'a paid MPP response carries Payment-Receipt')
    const receipt = Receipt.deserialize(header)
    assert.equal(receipt.status, 'success')
    assert.equal(receipt.method, 'evm')
    assert.match(receipt.reference, /^0x[0-9a-f]{64}$/)
    assert.equal(receipt.chainId, stack.chain.chainId)
    assert.equal(response.headers.get('payment-response'), null, 'an MPP payment gets no x402 PAYMENT-RESPONSE')
    return { response, reference: receipt.reference as Hex, receipt }
  }

  test('an unpaid request gets a 402 with an MPP challenge and an x402 offer', async () => {
    const response = await fetch(`${stack.url}/l/demo`)
    const { challenges } = await assertProblem(response, { status: 402, code: 'payment-required', secret: stack.env.MPP_SECRET_KEY! })
    const evm = challenges.find((c) => c.method === 'evm')
    assert.ok(evm)
    assert.equal(evm.intent, 'charge')
    assert.equal(evm.realm, new URL(stack.url).host)
    assert.equal(evm.request.amount, String(baseUnits('0.01')))
    assert.equal(String(evm.request.recipient).toLowerCase(), stack.merchant.toLowerCase())
  })

  test('mppx pays /l/demo: 200, a success receipt naming the transaction, the price moved once', async () => {
    const response = await assertPaidOnce('0.01', () => payWithMppx(1, `${stack.url}/l/demo`))
    const body = (await response.json()) as { paid: boolean }
    assert.equal(body.paid, true)
  })

  test('mppx pays GET /api/examples/joke', async () => {
    const response = await assertPaidOnce('0.01', () => payWithMppx(2, `${stack.url}/api/examples/joke`))
    const body = (await response.json()) as { joke: string }
    assert.ok(body.joke.length > 0)
  })

  test('mppx pays POST /api/examples/summarize with a JSON body bound by digest', async () => {
    const text = 'Tollgate puts a price on a URL. Agents pay with MPP or x402. People use a checkout page.'
    let challengeDigest: string | undefined
    const response = await assertPaidOnce('0.02', async () => {
      const paid = await payWithMppx(3, `${stack.url}/api/examples/summarize`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
      })
      challengeDigest = sent.at(-1)
        ? JSON.parse(Buffer.from(sent.at(-1)!.value.slice('Payment '.length), 'base64url').toString()).challenge.digest
        : undefined
      return paid
    })
    assert.match(challengeDigest ?? '', /^sha-256=:/, 'the paid challenge was bound to the body digest')
    const body = (await response.json()) as { summary: string; words: number }
    assert.equal(body.summary, 'Tollgate puts a price on a URL. Agents pay with MPP or x402.')
    assert.equal(body.words, 18)
  })

  test('@x402/fetch + @x402/evm pay /l/demo: 200 with a PAYMENT-RESPONSE naming the transaction', async () => {
    const recorder = recordingFetch()
    const payer = anvilAccount(4)
    const response = await assertPaidOnce('0.01', async () => {
      const res = await x402Fetch(payer, stack.chain, { fetch: recorder.fetch })(`${stack.url}/l/demo`)
      sent.push(...recorder.sent)
      assert.equal(res.status, 200, `paid request answered ${res.status}: ${await res.clone().text()}`)
      assert.equal(recorder.sent.length, 1, 'the x402 client sent exactly one PAYMENT-SIGNATURE')
      assert.equal(recorder.sent[0]!.header, 'payment-signature')
      const header = res.headers.get('payment-response')
      assert.ok(header, 'a paid x402 response carries PAYMENT-RESPONSE')
      const settlement = PaymentResponse.decode(header)
      assert.equal(settlement.success, true)
      assert.equal(settlement.network, `eip155:${stack.chain.chainId}`)
      assert.equal(settlement.payer, payer.address)
      assert.match(settlement.transaction, /^0x[0-9a-f]{64}$/)
      return { response: res, reference: settlement.transaction as Hex }
    })
    assert.equal(response.headers.get('cache-control'), 'private')
    assert.equal(response.headers.get('payment-receipt'), null, 'an x402 payment gets no MPP receipt')
    assert.equal(((await response.json()) as { paid: boolean }).paid, true)
  })

  test('@x402/fetch pays GET /api/examples/joke', async () => {
    const recorder = recordingFetch()
    await assertPaidOnce('0.01', async () => {
      const res = await x402Fetch(anvilAccount(5), stack.chain, { fetch: recorder.fetch })(`${stack.url}/api/examples/joke`)
      sent.push(...recorder.sent)
      assert.equal(res.status, 200, `paid request answered ${res.status}: ${await res.clone().text()}`)
      return { response: res, reference: PaymentResponse.decode(res.headers.get('payment-response')!).transaction as Hex }
    })
  })

  test("after the paid flows, the app's output holds no credential, signature, binding secret or private key", async () => {
    // A rejected credential too, so failure paths are in the logs we search.
    const replay = sent[0]!
    const rejected = await fetch(replay.url, { headers: { [replay.header]: replay.value } })
    assert.equal(rejected.status, 402)
    await rejected.body?.cancel()

    const logs = stack.apps.map((app) => app.logs()).join('\n')
    assert.match(logs, /Ready in/, 'the app output is captured (this check is not vacuous)')
    assert.ok(sent.length >= 5)
    const secrets: Array<[string, string]> = [
      ['MPP_SECRET_KEY', stack.env.MPP_SECRET_KEY!],
      ['SETTLER_PRIVATE_KEY', stack.env.SETTLER_PRIVATE_KEY!],
      ['SETTLER_PRIVATE_KEY (no 0x)', stack.env.SETTLER_PRIVATE_KEY!.slice(2)],
      ...[1, 2, 3, 4, 5].map((i): [string, string] => [`payer ${i} private key`, anvilPrivateKey(i).slice(2)]),
    ]
    for (const credential of sent) {
      const token = credential.value.replace(/^Payment /, '')
      secrets.push([`${credential.header} credential`, token])
      secrets.push([`${credential.header} credential prefix`, token.slice(0, 40)])
      for (const signature of JSON.stringify(decodeAny(token)).match(/0x[0-9a-fA-F]{130}/g) ?? [])
        secrets.push(['a payer signature', signature.slice(2)])
    }
    for (const [what, value] of secrets) assert.ok(!logs.toLowerCase().includes(value.toLowerCase()), `the logs contain ${what}`)
  })
})

function decodeAny(token: string): unknown {
  for (const encoding of ['base64url', 'base64'] as const) {
    try {
      return JSON.parse(Buffer.from(token, encoding).toString('utf8'))
    } catch {
      // try the other alphabet
    }
  }
  return null
}
