// "Sign in as the demo merchant" (issue 18): with TOLLGATE_DEMO=1 on the local chain the local node
// signs the sign-in message as anvil account #0, and that message passes the same checks as any
// wallet's; without demo mode the option is absent and the signer path answers 404.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { recoverMessageAddress } from 'viem'
import { createSiweMessage } from 'viem/siwe'
import { signAsDemoMerchant } from '@/lib/auth/sign-as-demo-merchant'
import { DemoSignInUnavailableError } from '@/lib/auth/errors'
import { demoMerchantAddress, demoPayerPrivateKey } from '@/lib/demo/demo-accounts'
import { anvilAccount } from '@/scripts/chain/deploy'
import { startTestChain, type TestChain } from '@/test/support/chain'
import { startStack, type Stack } from '@/test/support/stack'
import { verify, type MessageOverrides } from './support'

const demoButton = 'Sign in as the demo merchant'

/** A sign-in message for `address` around a fresh nonce of `url`, as the sign-in page builds it. */
async function messageFor(url: string, address: string, overrides: MessageOverrides = {}): Promise<string> {
  const nonce = (await (await fetch(`${url}/api/dashboard/auth/nonce`, { method: 'POST' })).json()) as {
    nonce: string
    chainId: number
    domain: string
    uri: string
    statement: string
  }
  return createSiweMessage({
    address: address as `0x${string}`,
    chainId: nonce.chainId,
    domain: nonce.domain,
    uri: nonce.uri,
    nonce: nonce.nonce,
    version: '1',
    statement: nonce.statement,
    issuedAt: new Date(),
    expirationTime: new Date(Date.now() + 600_000),
    ...overrides,
  })
}

function demoSignature(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/api/dashboard/auth/demo-signature`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

async function signedByDemo(url: string, message: string): Promise<string> {
  const response = await demoSignature(url, { message })
  assert.equal(response.status, 200, await response.clone().text())
  return ((await response.json()) as { signature: string }).signature
}

async function refusal(response: Response): Promise<{ status: number; code: string }> {
  const body = (await response.json()) as { error: { code: string } }
  return { status: response.status, code: body.error.code }
}

describe('demo mode: sign in as the demo merchant', () => {
  let stack: Stack
  before(async () => {
    stack = await startStack()
  })
  after(async () => {
    await stack?.stop()
  })

  test('the sign-in page offers it, and the local node signs as anvil account #0', async () => {
    assert.equal(demoMerchantAddress, anvilAccount(0).address)
    const page = await (await fetch(`${stack.url}/signin`)).text()
    assert.ok(page.includes(demoButton), 'the demo option is on the page')

    const message = await messageFor(stack.url, demoMerchantAddress)
    const signature = await signedByDemo(stack.url, message)
    assert.equal(await recoverMessageAddress({ message, signature: signature as `0x${string}` }), demoMerchantAddress)

    const signedIn = await verify(stack.url, { message, signature })
    assert.equal(signedIn.status, 200, await signedIn.clone().text())
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!
    const session = (await (await fetch(`${stack.url}/api/dashboard/session`, { headers: { cookie } })).json()) as {
      merchant: { address: string }
    }
    assert.equal(session.merchant.address, demoMerchantAddress)

    // The nonce is spent like any wallet's: the same signed message cannot sign in twice.
    assert.deepEqual(await refusal(await verify(stack.url, { message, signature })), { status: 401, code: 'invalid_nonce' })
  })

  test('what the demo signer signs still goes through every check of the verify route', async () => {
    const cases: Array<[string, MessageOverrides, string]> = [
      ['another domain', { domain: 'evil.example' }, 'wrong_domain'],
      ['another origin', { uri: 'https://evil.example/signin' }, 'wrong_uri'],
      ['another chain', { chainId: 8453 }, 'wrong_chain'],
      [
        'an expired message',
        { issuedAt: new Date(Date.now() - 3_600_000), expirationTime: new Date(Date.now() - 60_000) },
        'message_expired',
      ],
      ['a nonce the server never issued', { nonce: 'madeUpNonce12345' }, 'invalid_nonce'],
    ]
    for (const [what, overrides, code] of cases) {
      const message = await messageFor(stack.url, demoMerchantAddress, overrides)
      const signature = await signedByDemo(stack.url, message)
      assert.equal((await refusal(await verify(stack.url, { message, signature }))).code, code, what)
    }
  })

  test('the demo signer signs for the demo merchant only, and refuses junk with a 4xx', async () => {
    const payer = anvilAccount(1).address
    const forPayer = await demoSignature(stack.url, { message: await messageFor(stack.url, payer) })
    assert.deepEqual(await refusal(forPayer), { status: 400, code: 'invalid_message' })
    assert.equal((await refusal(await demoSignature(stack.url, { message: 'sign this' }))).status, 400)
    assert.equal((await refusal(await demoSignature(stack.url, { message: 'x'.repeat(5000) }))).status, 400)
    assert.equal((await refusal(await demoSignature(stack.url, {}))).status, 400)
    assert.equal((await refusal(await demoSignature(stack.url, '{not json'))).status, 400)
    const message = await messageFor(stack.url, demoMerchantAddress)
    assert.deepEqual(await refusal(await demoSignature(stack.url, { message }, { origin: 'https://evil.example' })), {
      status: 403,
      code: 'forbidden_origin',
    })
  })
})

describe('without TOLLGATE_DEMO: no demo merchant', () => {
  let stack: Stack
  before(async () => {
    stack = await startStack({ env: { TOLLGATE_DEMO: '' } })
  })
  after(async () => {
    await stack?.stop()
  })

  test('the sign-in page does not offer it and the signer path answers 404', async () => {
    const page = await (await fetch(`${stack.url}/signin`)).text()
    assert.ok(page.includes('Sign in to your dashboard'))
    assert.ok(!page.includes(demoButton))
    const message = await messageFor(stack.url, demoMerchantAddress)
    assert.deepEqual(await refusal(await demoSignature(stack.url, { message })), { status: 404, code: 'demo_unavailable' })
    assert.deepEqual(await refusal(await demoSignature(stack.url, '{not json')), { status: 404, code: 'demo_unavailable' })
  })

  test('the home page shows no test key and no demo commands', async () => {
    const home = await (await fetch(`${stack.url}/`)).text()
    assert.ok(home.includes('Put a price on any URL.'))
    assert.ok(!home.includes(demoPayerPrivateKey.slice(2)))
    assert.ok(!home.includes('terminal-commands'))
  })
})

describe('the demo signer asks the node, not only the configuration', () => {
  let local: TestChain
  let other: TestChain
  before(async () => {
    ;[local, other] = await Promise.all([startTestChain(), startTestChain({ chainId: 1337 })])
  })
  after(async () => {
    await Promise.all([local?.stop(), other?.stop()])
  })

  test('a node on another chain is refused even when the environment claims the local chain', async () => {
    const message = createSiweMessage({
      address: demoMerchantAddress,
      chainId: 31337,
      domain: '127.0.0.1:3000',
      uri: 'http://127.0.0.1:3000',
      nonce: 'abcdefgh12345678',
      version: '1',
    })
    const env = { TOLLGATE_DEMO: '1', EVM_CHAIN_ID: '31337' }
    const { signature } = await signAsDemoMerchant({ message }, { ...env, EVM_RPC_URL: local.rpcUrl })
    assert.equal(await recoverMessageAddress({ message, signature }), demoMerchantAddress)
    await assert.rejects(signAsDemoMerchant({ message }, { ...env, EVM_RPC_URL: other.rpcUrl }), DemoSignInUnavailableError)
  })
})
