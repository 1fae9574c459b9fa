import { loadEvmConfig } from '@/lib/rails/evm/Config'

/** Decimals of the token channels hold (USDC's 6 when the EVM rail is not configured: nothing is shown then anyway). */
export function tokenDecimals(env: Record<string, string | undefined> = process.env): number {
  try {
    return loadEvmConfig(env).tokenDecimals
  } catch {
    return 6
  }
}
