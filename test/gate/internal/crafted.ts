// Credentials an attacker writes by hand, whatever the 402 offered: an EIP-3009 authorization for an MPP
// evm challenge, an x402 exact payment for terms the server would offer, a `hash` credential for a
// transfer the payer sent itself. Signed with anvil accounts; nothing here goes through our client code.
import { randomBytes } from 'node:crypto'
import { type Address, type Hex, createPublicClient, createWalletClient, erc20Abi, http, toHex } from 'viem'
import type { LocalAccount } from 'viem/accounts'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Credential from '@/lib/protocol/Credential'
import * as Evm from '@/lib/protocol/methods/evm'
import * as PaymentRequirements from '@/lib/protocol/x402/PaymentRequirements'
import * as PaymentSignature from '@/lib/protocol/x402/PaymentSignature'
import { localChain } from '@/scripts/chain/deploy'
import type { TestChain } from '@/test/support/chain'
import { tokenDomain } from './payers'

/** The evm/charge challenge of a 402. */
export function evmChallenge(response: Response): Challenge.Challenge & { request: Evm.Request } {
  const challenge = Challenge.deserializeList(response.headers.get('www-authenticate') ?? '').find((c) => c.method === 'evm')
  if (!challenge) throw new Error('the 402 carries no evm challenge')
  return challenge as Challenge.Challenge & { request: Evm.Request }
}

/** An `Authorization: Payment …` value with an EIP-3009 authorization for exactly what `challenge` asks. */
export async function authorizationCredential(account: LocalAccount, chain: TestChain, challenge: Challenge.Challenge): Promise<string> {
  const request = Evm.parseRequest(challenge.request)
  const authorization: Evm.Authorization = {
    from: account.address,
    to: request.recipient,
    value: request.amount,
    validAfter: '0',
    validBefore: String(Math.floor(Date.parse(challenge.expires!) / 1000)),
    nonce: Evm.authorizationNonce(challenge.id, challenge.realm),
  }
  const domain = { ...tokenDomain, chainId: chain.chainId, verifyingContract: chain.token }
  const signature = await account.signTypedData(Evm.transferWithAuthorizationTypedData(domain, authorization))
  return Credential.serialize({ challenge, payload: { type: 'authorization', ...authorization, signature } })
}

/** A `PAYMENT-SIGNATURE` for the x402 exact terms this server offers for a price (whether or not it offered them). */
export async function exactPaymentSignature(
  account: LocalAccount,
  chain: TestChain,
  terms: { payTo: Address; amount: bigint },
): Promise<string> {
  const accepted = PaymentRequirements.exactEvm({
    chainId: chain.chainId,
    asset: chain.token,
    amount: terms.amount,
    payTo: terms.payTo,
    maxTimeoutSeconds: 300,
    ...tokenDomain,
  })
  const authorization: Evm.Authorization = {
    from: account.address,
    to: terms.payTo,
    value: terms.amount.toString(),
    validAfter: '0',
    validBefore: String(Math.floor(Date.now() / 1000) + 240),
    nonce: toHex(randomBytes(32)),
  }
  const domain = { ...tokenDomain, chainId: chain.chainId, verifyingContract: chain.token }
  const signature = await account.signTypedData(Evm.transferWithAuthorizationTypedData(domain, authorization))
  return PaymentSignature.encode({ x402Version: 2, accepted, payload: { signature, authorization } })
}

/** Sends a token transfer from `account` (it pays the gas) and returns the `hash` credential for `challenge`. */
export async function hashCredential(
  account: LocalAccount,
  chain: TestChain,
  challenge: Challenge.Challenge,
): Promise<{ credential: string; hash: Hex }> {
  const request = Evm.parseRequest(challenge.request)
  const viemChain = localChain(chain.rpcUrl, chain.chainId)
  const wallet = createWalletClient({ account, chain: viemChain, transport: http(chain.rpcUrl) })
  const hash = await wallet.writeContract({
    address: chain.token,
    abi: erc20Abi,
    functionName: 'transfer',
    args: [request.recipient, BigInt(request.amount)],
  })
  await createPublicClient({ chain: viemChain, transport: http(chain.rpcUrl) }).waitForTransactionReceipt({ hash, pollingInterval: 50 })
  return { credential: Credential.serialize({ challenge, payload: { type: 'hash', hash } }), hash }
}

/** The settler's gas money and nonce: a refused payment must leave both as they were. */
export async function gasState(chain: TestChain, settler: Address): Promise<{ wei: bigint; nonce: number }> {
  const client = createPublicClient({ transport: http(chain.rpcUrl) })
  return {
    wei: await client.getBalance({ address: settler }),
    nonce: await client.getTransactionCount({ address: settler, blockTag: 'pending' }),
  }
}
