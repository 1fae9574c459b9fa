// What a wallet needs to know about the payment chain: a name to show, an RPC to add the chain
// with (wallet_addEthereumChain), and an explorer for receipts. The server's own EVM_RPC_URL may
// carry an API key, so it is only shared for the local demo chain.

export type ChainInfo = {
  id: number
  name: string
  /** Public RPC a wallet may add the chain with; null when unknown. */
  rpcUrl: string | null
  /** Block explorer base URL (…/tx/<hash>); null when none. */
  explorerUrl: string | null
  testnet: boolean
}

export const localChainId = 31337

const known: Record<number, Omit<ChainInfo, 'id'>> = {
  8453: { name: 'Base', rpcUrl: 'https://mainnet.base.org', explorerUrl: 'https://basescan.org', testnet: false },
  84532: { name: 'Base Sepolia', rpcUrl: 'https://sepolia.base.org', explorerUrl: 'https://sepolia.basescan.org', testnet: true },
  1: { name: 'Ethereum', rpcUrl: null, explorerUrl: 'https://etherscan.io', testnet: false },
  11155111: { name: 'Sepolia', rpcUrl: null, explorerUrl: 'https://sepolia.etherscan.io', testnet: true },
}

export type ChainInfoParameters = {
  chainId: number
  /** The server's RPC; used only for the local chain (demo). */
  serverRpcUrl?: string
  /** EVM_PUBLIC_RPC_URL: an RPC the operator is happy to hand to wallets. */
  publicRpcUrl?: string
  /** EVM_EXPLORER_URL overrides the built-in explorer. */
  explorerUrl?: string
}

export function chainInfo(parameters: ChainInfoParameters): ChainInfo {
  const { chainId } = parameters
  const base = known[chainId]
  const local = chainId === localChainId
  return {
    id: chainId,
    name: base?.name ?? (local ? 'Local test chain' : `Chain ${chainId}`),
    rpcUrl: httpUrl(parameters.publicRpcUrl) ?? base?.rpcUrl ?? (local ? httpUrl(parameters.serverRpcUrl) : null),
    explorerUrl: httpUrl(parameters.explorerUrl) ?? base?.explorerUrl ?? null,
    testnet: base?.testnet ?? local,
  }
}

function httpUrl(url: string | undefined): string | null {
  if (!url || !URL.canParse(url)) return null
  const parsed = new URL(url)
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href.replace(/\/$/, '') : null
}
