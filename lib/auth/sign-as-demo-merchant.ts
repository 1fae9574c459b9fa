// Demo mode only: "Sign in as the demo merchant" without a wallet extension. The local node signs
// the page's Sign-In with Ethereum message with anvil account #0, which anvil keeps unlocked, so no
// key is held here; the signed message then goes through the same verify route as any wallet's.
import { createWalletClient, getAddress, http, isAddress, type Hex } from 'viem'
import { parseSiweMessage } from 'viem/siwe'
import { localChainId } from '@/lib/checkout/chains'
import { demoMerchantAddress } from '@/lib/demo/demo-accounts'
import { isDemoMode, type DemoEnv } from '@/lib/demo/demo-mode'
import { DemoSignerFailedError, DemoSignInUnavailableError, SignInRefusedError } from './errors'

const MAX_MESSAGE_LENGTH = 4096

/** Refuses outright outside demo mode, before the request body is even read. */
export function assertDemoSignInAvailable(env: DemoEnv = process.env): void {
  if (!isDemoMode(env)) throw new DemoSignInUnavailableError()
}

export async function signAsDemoMerchant(input: unknown, env: DemoEnv = process.env): Promise<{ signature: Hex }> {
  assertDemoSignInAvailable(env)
  const message = (input as { message?: unknown } | null)?.message
  if (typeof message !== 'string' || message.length === 0 || message.length > MAX_MESSAGE_LENGTH)
    throw new SignInRefusedError('invalid_message', 'message must be the EIP-4361 text to sign')
  // Only sign-in messages of the demo merchant: the node's other unlocked accounts are the payers'.
  const { address } = parseSiweMessage(message)
  if (!address || !isAddress(address, { strict: false }) || getAddress(address) !== demoMerchantAddress)
    throw new SignInRefusedError(
      'invalid_message',
      `the demo signer signs sign-in messages of the demo merchant ${demoMerchantAddress} only`,
    )

  const client = createWalletClient({ transport: http(env.EVM_RPC_URL, { retryCount: 0, timeout: 10_000 }) })
  let chainId: number
  try {
    chainId = await client.getChainId()
  } catch (error) {
    throw new DemoSignerFailedError(error)
  }
  // A node on another chain is not the demo's anvil, whatever the configuration says.
  if (chainId !== localChainId) throw new DemoSignInUnavailableError()
  try {
    return { signature: await client.signMessage({ account: demoMerchantAddress, message }) }
  } catch (error) {
    throw new DemoSignerFailedError(error)
  }
}
