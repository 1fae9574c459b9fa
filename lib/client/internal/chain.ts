// What the session client does on chain itself: read the token's EIP-712 domain, and broadcast
// approve + open / approve + topUp for `hash` credentials (the payer pays gas), requestClose and withdraw.
import {
  type Address,
  type Chain,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type WalletClient,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  parseAbi,
  zeroAddress,
} from 'viem'
import type * as Evm from '@/lib/protocol/methods/evm'
import { escrowAbi } from '@/lib/protocol/methods/evmSession'

const tokenAbi = parseAbi([
  'function allowance(address owner, address spender) view returns (uint256)',
  'function approve(address spender, uint256 value) returns (bool)',
  'function name() view returns (string)',
  'function version() view returns (string)',
  'function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)',
])

export class ChainError extends Error {
  override name = 'ChainError'
}

export type ChainClients = { chain: Chain; publicClient: PublicClient; walletClient: WalletClient }

/** viem clients for `rpcUrl`, refusing a node that is on another chain than the challenge names. */
export async function connect(rpcUrl: string, chainId: number, account: LocalAccount): Promise<ChainClients> {
  const chain = defineChain({
    id: chainId,
    name: `Chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })
  // cacheTime 0: receipts and block numbers are compared right after they are mined.
  const publicClient = createPublicClient({ chain, transport: http(rpcUrl), cacheTime: 0, pollingInterval: 250 })
  const actual = await publicClient.getChainId()
  if (actual !== chainId) throw new ChainError(`the RPC at ${rpcUrl} is chain ${actual}, but the challenge is for chain ${chainId}`)
  const walletClient = createWalletClient({ account, chain, transport: http(rpcUrl) })
  return { chain, publicClient, walletClient }
}

/** The token's EIP-712 name and version (EIP-5267 `eip712Domain()`, else `name()` / `version()`). */
export async function tokenDomain(publicClient: PublicClient, token: Address, chainId: number): Promise<Evm.TokenDomain> {
  try {
    const [, name, version] = await publicClient.readContract({ address: token, abi: tokenAbi, functionName: 'eip712Domain' })
    return { name, version, chainId, verifyingContract: token }
  } catch {
    const [name, version] = await Promise.all([
      publicClient.readContract({ address: token, abi: tokenAbi, functionName: 'name' }),
      publicClient.readContract({ address: token, abi: tokenAbi, functionName: 'version' }),
    ])
    return { name, version, chainId, verifyingContract: token }
  }
}

async function mined(clients: ChainClients, hash: Hex, what: string): Promise<Hex> {
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success') throw new ChainError(`${what} transaction ${hash} reverted`)
  return hash
}

async function ensureAllowance(clients: ChainClients, token: Address, escrow: Address, amount: bigint): Promise<void> {
  const account = clients.walletClient.account!
  const allowance = await clients.publicClient.readContract({
    address: token,
    abi: tokenAbi,
    functionName: 'allowance',
    args: [account.address, escrow],
  })
  if (allowance >= amount) return
  const hash = await clients.walletClient.writeContract({
    chain: clients.chain,
    account,
    address: token,
    abi: tokenAbi,
    functionName: 'approve',
    args: [escrow, amount],
  })
  await mined(clients, hash, 'approve')
}

export type OpenParameters = { escrow: Address; payee: Address; token: Address; deposit: bigint; salt: Hex; authorizedSigner?: Address }

/** approve (when the allowance is short) + open; resolves with the open transaction once it succeeded. */
export async function openChannel(clients: ChainClients, parameters: OpenParameters): Promise<Hex> {
  await ensureAllowance(clients, parameters.token, parameters.escrow, parameters.deposit)
  const hash = await clients.walletClient.writeContract({
    chain: clients.chain,
    account: clients.walletClient.account!,
    address: parameters.escrow,
    abi: escrowAbi,
    functionName: 'open',
    args: [parameters.payee, parameters.token, parameters.deposit, parameters.salt, parameters.authorizedSigner ?? zeroAddress],
  })
  return mined(clients, hash, 'open')
}

/** approve (when short) + topUp; resolves with the topUp transaction once it succeeded. */
export async function topUpChannel(
  clients: ChainClients,
  parameters: { escrow: Address; token: Address; channelId: Hex; amount: bigint },
): Promise<Hex> {
  await ensureAllowance(clients, parameters.token, parameters.escrow, parameters.amount)
  const hash = await clients.walletClient.writeContract({
    chain: clients.chain,
    account: clients.walletClient.account!,
    address: parameters.escrow,
    abi: escrowAbi,
    functionName: 'topUp',
    args: [parameters.channelId, parameters.amount],
  })
  return mined(clients, hash, 'topUp')
}

/** The payer's own calls of the forced close: `requestClose`, then after the grace period `withdraw`. */
export async function payerCall(
  clients: ChainClients,
  escrow: Address,
  functionName: 'requestClose' | 'withdraw',
  channelId: Hex,
): Promise<Hex> {
  const hash = await clients.walletClient.writeContract({
    chain: clients.chain,
    account: clients.walletClient.account!,
    address: escrow,
    abi: escrowAbi,
    functionName,
    args: [channelId],
  })
  return mined(clients, hash, functionName)
}
