// Deploys the test token and the session escrow to a local chain and funds anvil's well-known demo accounts.
import {
  type Address,
  type Chain,
  type Hex,
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  http,
  parseUnits,
  toHex,
} from 'viem'
import { type HDAccount, mnemonicToAccount } from 'viem/accounts'
import { loadArtifact } from './compile'

/** anvil's default mnemonic: its accounts are public test keys, never use them on a real chain. */
export const anvilMnemonic = 'test test test test test test test test test test test junk'

/** anvil default account `index` (0..9 are funded with ETH by anvil). */
export function anvilAccount(index: number): HDAccount {
  return mnemonicToAccount(anvilMnemonic, { addressIndex: index })
}

/** Hex private key of anvil default account `index`, e.g. for SETTLER_PRIVATE_KEY in the demo. */
export function anvilPrivateKey(index: number): Hex {
  const key = anvilAccount(index).getHdKey().privateKey
  if (!key) throw new Error(`no private key for anvil account ${index}`)
  return toHex(key)
}

export function localChain(rpcUrl: string, chainId: number): Chain {
  return defineChain({
    id: chainId,
    name: `Local ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })
}

export type DeployTestUsdcOptions = {
  rpcUrl: string
  chainId: number
  /** Deployer and minter; defaults to anvil account 0. */
  deployer?: HDAccount
  /** Accounts to fund; defaults to anvil accounts 1..9. */
  fund?: Address[]
  /** Whole USDC per funded account; defaults to 1000. */
  amount?: string
}

export type DeployedTestUsdc = { token: Address; funded: Address[]; amountPerAccount: bigint }

/** Deploys TestUSDC and mints `amount` USDC to each funded account; waits for every receipt. */
export async function deployTestUsdc(options: DeployTestUsdcOptions): Promise<DeployedTestUsdc> {
  const chain = localChain(options.rpcUrl, options.chainId)
  const deployer = options.deployer ?? anvilAccount(0)
  const fund = options.fund ?? Array.from({ length: 9 }, (_, i) => anvilAccount(i + 1).address)
  const amountPerAccount = parseUnits(options.amount ?? '1000', 6)
  const artifact = await loadArtifact('TestUSDC')

  const publicClient = createPublicClient({ chain, transport: http(options.rpcUrl) })
  const wallet = createWalletClient({ account: deployer, chain, transport: http(options.rpcUrl) })

  const deployHash = await wallet.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode })
  const deployReceipt = await publicClient.waitForTransactionReceipt({ hash: deployHash, pollingInterval: 50 })
  if (!deployReceipt.contractAddress || deployReceipt.status !== 'success') throw new Error('TestUSDC deployment failed')
  const token = getAddress(deployReceipt.contractAddress)

  // Explicit nonces let every mint go out at once instead of one block per round trip.
  let nonce = await publicClient.getTransactionCount({ address: deployer.address, blockTag: 'pending' })
  const hashes: Hex[] = []
  for (const to of fund) {
    hashes.push(
      await wallet.writeContract({
        address: token,
        abi: artifact.abi,
        functionName: 'mint',
        args: [to, amountPerAccount],
        nonce: nonce++,
      }),
    )
  }
  for (const hash of hashes) {
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })
    if (receipt.status !== 'success') throw new Error(`TestUSDC mint failed in ${hash}`)
  }
  return { token, funded: fund, amountPerAccount }
}

/** The spec's reference grace period between `requestClose` and `withdraw` (it forbids less than 10 minutes). */
export const defaultCloseGracePeriodSeconds = 15 * 60

export type DeploySessionEscrowOptions = {
  rpcUrl: string
  chainId: number
  /** Defaults to anvil account 0. */
  deployer?: HDAccount
  /** Seconds; the contract refuses less than 600. Defaults to 15 minutes. */
  closeGracePeriodSeconds?: number
}

/** Deploys the `evm`/`session` escrow (contracts/SessionEscrow.sol) and waits for its receipt. */
export async function deploySessionEscrow(options: DeploySessionEscrowOptions): Promise<Address> {
  const chain = localChain(options.rpcUrl, options.chainId)
  const deployer = options.deployer ?? anvilAccount(0)
  const artifact = await loadArtifact('SessionEscrow')
  const publicClient = createPublicClient({ chain, transport: http(options.rpcUrl) })
  const wallet = createWalletClient({ account: deployer, chain, transport: http(options.rpcUrl) })
  const hash = await wallet.deployContract({
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    args: [BigInt(options.closeGracePeriodSeconds ?? defaultCloseGracePeriodSeconds)],
  })
  const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })
  if (!receipt.contractAddress || receipt.status !== 'success') throw new Error('SessionEscrow deployment failed')
  return getAddress(receipt.contractAddress)
}
