// The reference clients, configured the way a payer of this server must configure them: mppx's
// evm method with the test token's EIP-712 domain, and @x402/fetch + @x402/evm with the token allowed.
import { x402Client, x402HTTPClient } from '@x402/core/client'
import { ExactEvmScheme } from '@x402/evm/exact/client'
import { wrapFetchWithPayment } from '@x402/fetch'
import { Challenge as MppxChallenge, Credential as MppxCredential } from 'mppx'
import { Mppx, evm } from 'mppx/client'
import type { Account } from 'viem'
import type { TestChain } from '@/test/support/chain'

/** The EIP-712 domain of TestUSDC (the same as USDC's). */
export const tokenDomain = { name: 'USD Coin', version: '2' } as const

/** An mppx client that pays evm/charge challenges from `account`; never touches globalThis.fetch. */
export function mppxClient(account: Account, options: { fetch?: typeof fetch } = {}) {
  return Mppx.create({
    methods: [evm({ account, authorization: tokenDomain, maxAmount: '1', decimals: 6 })],
    polyfill: false,
    // One attempt: a rejected credential must show up as a failed test, not as a silent second payment.
    maxPaymentRetries: 1,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  })
}

/** An x402 client for the test chain that accepts the test token (x402 refuses unknown assets by default). */
export function x402ClientFor(account: Account, chain: TestChain): x402Client {
  const network = `eip155:${chain.chainId}` as const
  return new x402Client()
    .register(network, new ExactEvmScheme(account as never))
    .setSpendControls({ allowedAssets: [{ network, asset: chain.token }] })
}

/** `fetch` that pays x402 402s from `account`. */
export function x402Fetch(account: Account, chain: TestChain, options: { fetch?: typeof fetch } = {}): typeof fetch {
  return wrapFetchWithPayment(options.fetch ?? fetch, x402ClientFor(account, chain)) as typeof fetch
}

/** An MPP credential (the `Authorization` value) for a 402 response, created by mppx but not sent. */
export async function mppCredentialFor(account: Account, response: Response): Promise<string> {
  return mppxClient(account).createCredential(response)
}

/** An x402 `PAYMENT-SIGNATURE` value for a 402 response, created by @x402 but not sent. */
export async function x402SignatureFor(account: Account, chain: TestChain, response: Response): Promise<string> {
  const http = new x402HTTPClient(x402ClientFor(account, chain))
  const required = http.getPaymentRequiredResponse((name) => response.headers.get(name))
  const payload = await http.createPaymentPayload(required)
  const headers = http.encodePaymentSignatureHeader(payload)
  const value = Object.entries(headers).find(([name]) => name.toLowerCase() === 'payment-signature')?.[1]
  if (!value) throw new Error('the x402 client produced no PAYMENT-SIGNATURE header')
  return value
}

/**
 * The `_meta["org.paymentauth/credential"]` object for a JSON-RPC -32042's challenges, made the way mppx's McpClient
 * makes it (mppx's challenge schema, its evm method's createCredential, its Credential.deserialize).
 */
export async function mppJsonRpcCredentialFor(account: Account, challenges: unknown[]): Promise<unknown> {
  const methods = evm({ account, authorization: tokenDomain, maxAmount: '1', decimals: 6 })
  for (const raw of challenges) {
    const challenge = MppxChallenge.Schema.parse(raw)
    const method = methods.find((m) => m.name === challenge.method && m.intent === challenge.intent)
    if (method) return MppxCredential.deserialize(await method.createCredential({ challenge } as never))
  }
  throw new Error('no challenge mppx can pay')
}
