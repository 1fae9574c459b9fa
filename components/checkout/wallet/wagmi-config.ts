// The wagmi configuration of one checkout: only the offer's chain, wallets found through EIP-6963
// (each listed by its own name), and in demo mode the built-in test wallet. Nothing is persisted.
import { defineChain } from 'viem'
import { createConfig, custom, injected } from 'wagmi'
import type { CheckoutEvm } from '@/lib/checkout/load-checkout'
import { createTestWalletProvider } from './test-wallet-provider'

export const testWalletId = 'tollgate-test-wallet'

export function createCheckoutConfig(evm: CheckoutEvm, testWallet: boolean) {
  const { chain: info } = evm
  const chain = defineChain({
    id: info.id,
    name: info.name,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: info.rpcUrl ? [info.rpcUrl] : [] } },
    ...(info.explorerUrl ? { blockExplorers: { default: { name: 'Explorer', url: info.explorerUrl } } } : {}),
    testnet: info.testnet,
  })
  const provider = testWallet && info.rpcUrl ? createTestWalletProvider({ rpcUrl: info.rpcUrl, chainId: info.id }) : null
  return createConfig({
    chains: [chain],
    connectors: provider ? [injected({ target: { id: testWalletId, name: 'Test wallet', provider: () => provider as never } })] : [],
    // Every request goes to the connected wallet's own provider (provider-calls.ts); wagmi needs no RPC of ours.
    transports: {
      [chain.id]: custom({
        request: async () => {
          throw new Error('The checkout reads through the connected wallet only.')
        },
      }),
    },
    multiInjectedProviderDiscovery: true,
    storage: null,
    ssr: false,
  })
}
