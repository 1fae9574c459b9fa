// The operator's gas, end to end on a running server and anvil: below EVM_MIN_SETTLEMENT_USD a link is
// sold only to payers who broadcast their own transfer (server-submitted credentials are refused with the
// reason), and the settlements the server pays gas for are capped per merchant and minute
// (EVM_SETTLEMENTS_PER_MERCHANT_PER_MINUTE, 3 here): the next one is a 429 with Retry-After and nothing
// is submitted, while other merchants and payer-broadcast payments go on.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createPublicClient, http, parseAbi } from 'viem'
import * as Credential from '@/lib/protocol/Credential'
import * as Problem from '@/lib/protocol/Problem'
import { anvilAccount, anvilPrivateKey } from '@/scripts/chain/deploy'
import { jsonInit, signIn, type Client } from '@/test/dashboard/support'
import { type Stack, startStack } from '@/test/support/stack'
import { authorizationCredential, evmChallenge, exactPaymentSignature, gasState, hashCredential } from './internal/crafted'
import { mppCredentialFor } from './internal/payers'

const settler = anvilAccount(0).address
const perMinute = 3

describe('the settler pays gas only for payments worth it, and only so often per merchant', () => {
  let stack: Stack
  let merchant: Client

  before(async () => {
    stack = await startStack({ env: { EVM_SETTLEMENTS_PER_MERCHANT_PER_MINUTE: String(perMinute) } })
    merchant = await signIn(stack.url, anvilPrivateKey(6))
  })
  after(async () => {
    await stack?.stop()
  })

  async function link(price: string): Promise<string> {
    const created = await merchant.request(
      '/api/dashboard/links',
      jsonInit('POST', {
        title: `Costs ${price}`,
        price,
        rails: ['evm'],
        resource: { kind: 'inline', contentType: 'text/plain', body: 'paid' },
      }),
    )
    assert.equal(created.status, 201, await created.clone().text())
    return ((await created.json()) as { link: { url: string } }).link.url
  }

  async function problemOf(response: Response): Promise<Problem.Body> {
    const text = await response.text()
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/, text)
    return JSON.parse(text) as Problem.Body
  }

  test('at $0.0005 a signed authorization or x402 payment is refused with the reason; a transfer the payer sends is sold', async () => {
    const url = await link('0.0005')
    const before = await gasState(stack.chain, settler)
    const payer = anvilAccount(1)
    const signed = await authorizationCredential(payer, stack.chain, evmChallenge(await fetch(url)))
    const refused = await fetch(url, { headers: { authorization: signed } })
    assert.equal(refused.status, 402)
    const problem = await problemOf(refused)
    assert.equal(problem.type, `${Problem.baseUri}verification-failed`)
    assert.match(
      problem.detail ?? '',
      /below \$0\.001, the smallest payment this server submits on chain and pays the gas for; pay with a "hash" credential/,
    )
    assert.deepEqual(evmChallenge(refused).request.methodDetails.credentialTypes, ['hash'], 'the fresh challenge offers the way that works')

    const x402 = await exactPaymentSignature(payer, stack.chain, { payTo: anvilAccount(6).address, amount: 500n })
    const noX402 = await fetch(url, { headers: { 'payment-signature': x402 } })
    assert.equal(noX402.status, 402)
    assert.match(
      (await problemOf(noX402)).detail ?? '',
      /below the smallest payment the server settles on chain.*x402 exact is not offered/,
    )

    const { credential } = await hashCredential(payer, stack.chain, evmChallenge(await fetch(url)))
    const sold = await fetch(url, { headers: { authorization: credential } })
    assert.equal(sold.status, 200, await sold.clone().text())
    assert.equal(await sold.text(), 'paid')
    assert.deepEqual(await gasState(stack.chain, settler), before, 'the payer paid the gas, not the settler')
  })

  test(`the ${perMinute + 1}th server-submitted settlement of a merchant in a minute is a 429 and submits nothing`, async () => {
    // The cap counts per calendar minute: start early in one so the run never straddles two.
    const intoMinute = Date.now() % 60_000
    if (intoMinute > 35_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute))
    const url = await link('0.01')
    for (let i = 0; i < perMinute; i++) {
      const paid = await fetch(url, { headers: { authorization: await mppCredentialFor(anvilAccount(2 + i), await fetch(url)) } })
      assert.equal(paid.status, 200, await paid.clone().text())
      await paid.body?.cancel()
    }
    const before = await gasState(stack.chain, settler)
    const late = anvilAccount(5)
    const credential = await mppCredentialFor(late, await fetch(url))
    const capped = await fetch(url, { headers: { authorization: credential } })
    assert.equal(capped.status, 429)
    const retryAfter = Number(capped.headers.get('retry-after'))
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`)
    assert.match(
      (await problemOf(capped)).detail ?? '',
      new RegExp(`limited to ${perMinute} a minute; retry in \\d+ seconds\\. Nothing was charged`),
    )
    assert.deepEqual(await gasState(stack.chain, settler), before, 'nothing was submitted')
    const nonce = (Credential.deserialize(credential).payload as { nonce: `0x${string}` }).nonce
    const used = await createPublicClient({ transport: http(stack.chain.rpcUrl) }).readContract({
      address: stack.chain.token,
      abi: parseAbi(['function authorizationState(address, bytes32) view returns (bool)']),
      functionName: 'authorizationState',
      args: [late.address, nonce],
    })
    assert.equal(used, false, "the payer's authorization is unused: nothing moved")

    // Another merchant's link (the seeded demo) is not held back by this one's cap.
    const demo = `${stack.url}/l/demo`
    const other = await fetch(demo, { headers: { authorization: await mppCredentialFor(anvilAccount(7), await fetch(demo)) } })
    assert.equal(other.status, 200, await other.clone().text())
    await other.body?.cancel()
    // Nor is a payer who broadcasts the transfer (and pays the gas) on the capped merchant's link.
    const { credential: transfer } = await hashCredential(anvilAccount(8), stack.chain, evmChallenge(await fetch(url)))
    const sent = await fetch(url, { headers: { authorization: transfer } })
    assert.equal(sent.status, 200, await sent.clone().text())
    await sent.body?.cancel()
  })
})
