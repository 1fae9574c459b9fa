// Payers for the scale and failure suites: credentials made by the reference clients (mppx for MPP,
// @x402 for x402) from anvil's funded accounts, and the settlement key each one will settle under.
import { x402Client, x402HTTPClient } from '@x402/core/client'
import { ExactEvmScheme } from '@x402/evm/exact/client'
import { Mppx, evm } from 'mppx/client'
import type { Account, Address, Hex } from 'viem'
import * as Credential from '@/lib/protocol/Credential'
import * as PaymentSignature from '@/lib/protocol/x402/PaymentSignature'
import { anvilAccount } from '@/scripts/chain/deploy'
import type { TestChain } from '@/test/support/chain'

const accounts = new Map<number, Account>()

/** anvil account `index` (1..9 hold TestUSDC), derived once. */
export function payer(index: number): Account {
  let account = accounts.get(index)
  if (!account) accounts.set(index, (account = anvilAccount(index)))
  return account
}

/** An MPP `Authorization` value answering `response` (a 402), signed by `account` with mppx. */
export async function mppCredential(account: Account, response: Response): Promise<string> {
  const client = Mppx.create({
    methods: [evm({ account, authorization: { name: 'USD Coin', version: '2' }, maxAmount: '1', decimals: 6 })],
    polyfill: false,
  })
  return client.createCredential(response)
}

/** An x402 `PAYMENT-SIGNATURE` value answering `response`, signed by `account` with @x402/evm. */
export async function x402Signature(account: Account, chain: TestChain, response: Response): Promise<string> {
  const network = `eip155:${chain.chainId}` as const
  const client = new x402Client()
    .register(network, new ExactEvmScheme(account as never))
    .setSpendControls({ allowedAssets: [{ network, asset: chain.token }] })
  const http = new x402HTTPClient(client)
  const payload = await http.createPaymentPayload(http.getPaymentRequiredResponse((name) => response.headers.get(name)))
  const value = Object.entries(http.encodePaymentSignatureHeader(payload)).find(([name]) => name.toLowerCase() === 'payment-signature')?.[1]
  if (!value) throw new Error('the x402 client produced no PAYMENT-SIGNATURE header')
  return value
}

/** The settlement (replay) key an EIP-3009 credential settles under: chainId:token:from:nonce, lower-case. */
export function settlementKeyOf(chain: TestChain, header: { authorization: string } | { 'payment-signature': string }): string {
  let authorization: { from: Address; nonce: Hex }
  if ('authorization' in header) authorization = Credential.deserialize(header.authorization).payload as { from: Address; nonce: Hex }
  else {
    const payload = PaymentSignature.decode(header['payment-signature']).payload
    if (!PaymentSignature.isEip3009(payload)) throw new Error('not an EIP-3009 payment')
    authorization = payload.authorization
  }
  return `${chain.chainId}:${chain.token.toLowerCase()}:${authorization.from.toLowerCase()}:${authorization.nonce.toLowerCase()}`
}
