// Demo mode: `TOLLGATE_DEMO=1` on the local anvil chain only, the same guard as the checkout's test
// wallet. Everything that uses anvil's unlocked test accounts checks it; a real chain never passes.
import { localChainId } from '@/lib/checkout/chains'

export type DemoEnv = Record<string, string | undefined>

export function isDemoMode(env: DemoEnv = process.env): boolean {
  return env.TOLLGATE_DEMO === '1' && Number(env.EVM_CHAIN_ID) === localChainId && Boolean(env.EVM_RPC_URL?.trim())
}
