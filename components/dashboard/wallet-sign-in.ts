// Loaded on demand by SignIn: ask the wallet for an account, build the EIP-4361 message around a
// server nonce, have the wallet sign it, and let the server check it and set the session cookie.
import { getAddress, stringToHex } from 'viem'
import { createSiweMessage } from 'viem/siwe'

export type Eip1193Provider = { request(args: { method: string; params?: unknown[] }): Promise<unknown> }

/** A refusal worded for the merchant by the signer itself (the demo signer); shown as it is. */
export class SignerRefusedError extends Error {
  override name = 'SignerRefusedError'
}

const MESSAGE_LIFETIME_MS = 10 * 60_000

export async function signInWithWallet(provider: Eip1193Provider): Promise<void> {
  const accounts = (await provider.request({ method: 'eth_requestAccounts' }).catch(walletError)) as string[]
  if (!accounts?.[0]) throw new Error('The wallet did not share an account.')
  const address = getAddress(accounts[0])

  const nonceResponse = await fetch('/api/dashboard/auth/nonce', { method: 'POST' })
  const challenge = await nonceResponse.json().catch(() => null)
  if (!nonceResponse.ok) throw new Error(challenge?.error?.message ?? 'Could not start the sign-in; try again.')

  const now = new Date()
  const message = createSiweMessage({
    address,
    chainId: challenge.chainId,
    domain: window.location.host,
    uri: window.location.origin,
    nonce: challenge.nonce,
    version: '1',
    statement: challenge.statement,
    issuedAt: now,
    expirationTime: new Date(now.getTime() + MESSAGE_LIFETIME_MS),
  })
  const signature = await provider.request({ method: 'personal_sign', params: [stringToHex(message), address] }).catch(walletError)

  const verify = await fetch('/api/dashboard/auth/verify', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message, signature }),
  })
  if (!verify.ok) {
    const data = await verify.json().catch(() => null)
    throw new Error(data?.error?.message ?? 'The sign-in was refused.')
  }
}

function walletError(error: unknown): never {
  if (error instanceof SignerRefusedError) throw error
  const code = (error as { code?: unknown })?.code
  if (code === 4001) throw new Error('You declined the request in your wallet.')
  throw new Error('The wallet could not complete the request.')
}
