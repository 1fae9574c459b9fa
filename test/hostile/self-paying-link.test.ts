// Issue 12 item 6, hostile input: a merchant who is also the payer. Anyone can sign in and create a link
// priced $0.000001 whose recipient is their own address, then "pay" it: before the fix the settler paid
// ~6×10¹³ wei of gas to move one base unit from the payer to itself. On a running server and a real
// chain, every way of paying such a link is refused with a clear 402, nothing is recorded, and the
// settler's native balance and nonce do not move.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import * as Problem from '@/lib/protocol/Problem'
import { anvilAccount, anvilPrivateKey } from '@/scripts/chain/deploy'
import { jsonInit, signIn, type Client } from '@/test/dashboard/support'
import { authorizationCredential, evmChallenge, exactPaymentSignature, gasState, hashCredential } from '@/test/gate/internal/crafted'
import { mppCredentialFor } from '@/test/gate/internal/payers'
import { type Stack, startStack } from '@/test/support/stack'

const attacker = anvilAccount(5)
/** The settler is anvil account 0 in the test stack. */
const settler = anvilAccount(0).address

describe('hostile input: a self-paying link costs the settler nothing', () => {
  let stack: Stack
  let merchant: Client
  let gasBefore: { wei: bigint; nonce: number }

  before(async () => {
    stack = await startStack()
    merchant = await signIn(stack.url, anvilPrivateKey(5))
    gasBefore = await gasState(stack.chain, settler)
  })
  after(async () => {
    await stack?.stop()
  })

  async function selfPayingLink(price: string): Promise<{ url: string; notices: Array<{ code: string; message: string }> }> {
    const created = await merchant.request(
      '/api/dashboard/links',
      jsonInit('POST', {
        title: `Pay yourself ${price}`,
        price,
        rails: ['evm'],
        resource: { kind: 'inline', contentType: 'text/plain', body: 'x' },
      }),
    )
    assert.equal(created.status, 201, await created.clone().text())
    const { link } = (await created.json()) as {
      link: { url: string; recipient: string; notices: Array<{ code: string; message: string }> }
    }
    assert.equal(link.recipient, attacker.address, 'the recipient defaults to the merchant, who is also the payer')
    return link
  }

  async function refused(response: Response, detail: RegExp): Promise<void> {
    const text = await response.text()
    assert.equal(response.status, 402, text)
    const body = JSON.parse(text) as Problem.Body
    assert.equal(body.type, `${Problem.baseUri}verification-failed`)
    assert.match(body.detail ?? '', detail)
  }

  test('the issue: $0.000001 paid by its own recipient with an EIP-3009 authorization, x402 exact or a hash, is refused', async () => {
    const link = await selfPayingLink('0.000001')
    const challenge = evmChallenge(await fetch(link.url))
    const authorization = await authorizationCredential(attacker, stack.chain, challenge)
    await refused(await fetch(link.url, { headers: { authorization } }), /is also the recipient.*nothing was submitted/)

    const x402 = await exactPaymentSignature(attacker, stack.chain, { payTo: attacker.address, amount: 1n })
    await refused(await fetch(link.url, { headers: { 'payment-signature': x402 } }), /x402 exact is not offered/)

    // The attacker broadcasts the self-transfer itself (and pays its gas): it still buys nothing.
    const { credential } = await hashCredential(attacker, stack.chain, evmChallenge(await fetch(link.url)))
    await refused(await fetch(link.url, { headers: { authorization: credential } }), /is also the recipient/)
  })

  test('above the minimum too: the reference client paying its own link is refused', async () => {
    const link = await selfPayingLink('0.01')
    const credential = await mppCredentialFor(attacker, await fetch(link.url))
    await refused(await fetch(link.url, { headers: { authorization: credential } }), /is also the recipient/)
  })

  test('the settler spent no gas and submitted nothing; no payment was recorded', async () => {
    assert.deepEqual(await gasState(stack.chain, settler), gasBefore)
    const payments = (await (await merchant.request('/api/dashboard/payments')).json()) as { payments: unknown[] }
    assert.deepEqual(payments.payments, [])
  })

  test('the 402 of a price below the minimum offers only a transfer the payer sends, and the merchant is told why', async () => {
    const link = await selfPayingLink('0.000001')
    assert.deepEqual(
      link.notices.map((n) => n.code),
      ['below_settlement_minimum'],
    )
    assert.match(link.notices[0]!.message, /below \$0\.001.*send the USDC transfer from their own wallet/)
    const response = await fetch(link.url)
    assert.equal(response.status, 402)
    assert.deepEqual(evmChallenge(response).request.methodDetails.credentialTypes, ['hash'])
    assert.equal(response.headers.get('payment-required'), null, 'no x402 exact offer')
  })
})
