// Wallet payment, loaded only when the payer picks "Crypto wallet": wagmi + react-query providers
// around the step-by-step flow.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { useState } from 'react'
import { WagmiProvider } from 'wagmi'
import type { CheckoutEvm } from '@/lib/checkout/load-checkout'
import type { EvmOffer } from '@/lib/checkout/offers'
import type { SubmitOutcome } from '../useCheckoutSession'
import { createCheckoutConfig } from './wagmi-config'
import { WalletFlow } from './WalletFlow'

export type WalletPaymentProps = {
  offer: EvmOffer
  evm: CheckoutEvm
  testWallet: boolean
  freshOffer(): Promise<EvmOffer>
  submit(credential: string, headerName?: string): Promise<SubmitOutcome>
}

export default function WalletPayment({ testWallet, ...props }: WalletPaymentProps) {
  const [config] = useState(() => createCheckoutConfig(props.evm, testWallet))
  const [queryClient] = useState(() => new QueryClient())
  return (
    <WagmiProvider config={config} reconnectOnMount={false}>
      <QueryClientProvider client={queryClient}>
        <WalletFlow {...props} />
      </QueryClientProvider>
    </WagmiProvider>
  )
}
