// Which chain, which token and which settler account the EVM rail uses, read from the environment.
// Any EVM chain works by configuration alone; nothing here assumes the local chain (31337).
import { type Address, type Hex, getAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { z } from 'zod'
import * as Money from '@/lib/money'

export type EvmConfig = {
  /** JSON-RPC endpoint (http or https). */
  rpcUrl: string
  chainId: number
  /** The ERC-20 with EIP-3009 that payers pay in (EIP-55). */
  tokenAddress: Address
  /** The token's EIP-712 domain name and version, which payers sign under. */
  tokenName: string
  tokenVersion: string
  tokenDecimals: number
  /** The `evm`/`session` channel escrow (contracts/SessionEscrow.sol) on this chain, EIP-55; unset: no sessions. */
  escrowAddress?: Address
  /** Blocks a transfer must be buried under before it counts as settled (1 = included). */
  confirmations: number
  /** Account that submits EIP-3009 authorizations and pays their gas. Never logged (not enumerable). */
  settlerPrivateKey: Hex
  /** How often to poll the node for receipts; undefined: a quarter of the chain's measured block time (50 ms to 1 s). */
  pollingIntervalMs?: number
  /** How long to wait for a receipt before answering 503 (the record is finished by reconcile). */
  receiptTimeoutMs: number
  /**
   * Decimal USD: below this price the server submits nothing itself (no EIP-3009 authorization, no x402
   * exact), because the gas it would pay costs more than the payment is worth; payers broadcast instead.
   */
  minSettlementUsd: string
}

/** EIP-3009 token facts a deployment can rely on without configuring them. */
export type KnownToken = {
  chainId: number
  tokenAddress: Address
  tokenName: string
  tokenVersion: string
  tokenDecimals: number
}

/** Circle's USDC (FiatToken v2.2) on Base mainnet: EIP-712 name "USD Coin", version "2". */
export const usdcBase: KnownToken = {
  chainId: 8453,
  tokenAddress: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
  tokenName: 'USD Coin',
  tokenVersion: '2',
  tokenDecimals: 6,
}

/** Circle's USDC on Base Sepolia: note the shorter EIP-712 name "USDC", version "2". */
export const usdcBaseSepolia: KnownToken = {
  chainId: 84532,
  tokenAddress: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  tokenName: 'USDC',
  tokenVersion: '2',
  tokenDecimals: 6,
}

export const knownTokens: readonly KnownToken[] = [usdcBase, usdcBaseSepolia]

export const defaults = {
  tokenName: 'USD Coin',
  tokenVersion: '2',
  tokenDecimals: 6,
  confirmations: 1,
  receiptTimeoutMs: 60_000,
  minSettlementUsd: '0.001',
} as const

export class EvmConfigError extends Error {
  override name = 'EvmConfigError'
}

const optionalText = z
  .string()
  .transform((value) => value.trim())
  .optional()
  .transform((value) => (value === '' ? undefined : value))

const integerText = (name: string, min: number, max: number) =>
  optionalText.pipe(
    z
      .string()
      .regex(/^\d+$/, `${name} must be a whole number`)
      .transform(Number)
      .pipe(z.number().int().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`))
      .optional(),
  )

const EnvSchema = z.object({
  EVM_RPC_URL: optionalText.pipe(
    z
      .string({ error: 'EVM_RPC_URL is required (the JSON-RPC endpoint of the chain, e.g. http://127.0.0.1:8545)' })
      .regex(/^https?:\/\/\S+$/, 'EVM_RPC_URL must be an http(s) URL'),
  ),
  EVM_CHAIN_ID: integerText('EVM_CHAIN_ID', 1, Number.MAX_SAFE_INTEGER).pipe(
    z.number({ error: 'EVM_CHAIN_ID is required (e.g. 8453 for Base, 84532 for Base Sepolia, 31337 for anvil)' }),
  ),
  EVM_TOKEN_ADDRESS: optionalText.pipe(
    z
      .string()
      .regex(/^0x[0-9a-fA-F]{40}$/, 'EVM_TOKEN_ADDRESS must be a 0x-prefixed 20-byte address')
      .optional(),
  ),
  EVM_ESCROW_ADDRESS: optionalText.pipe(
    z
      .string()
      .regex(/^0x[0-9a-fA-F]{40}$/, 'EVM_ESCROW_ADDRESS must be a 0x-prefixed 20-byte address (the SessionEscrow contract)')
      .optional(),
  ),
  EVM_TOKEN_NAME: optionalText,
  EVM_TOKEN_VERSION: optionalText,
  EVM_TOKEN_DECIMALS: integerText('EVM_TOKEN_DECIMALS', 0, 36),
  EVM_CONFIRMATIONS: integerText('EVM_CONFIRMATIONS', 1, 1_000),
  EVM_POLLING_INTERVAL_MS: integerText('EVM_POLLING_INTERVAL_MS', 10, 60_000),
  EVM_RECEIPT_TIMEOUT_MS: integerText('EVM_RECEIPT_TIMEOUT_MS', 1_000, 3_600_000),
  EVM_MIN_SETTLEMENT_USD: optionalText.pipe(
    z
      .string()
      .refine(
        (value) => value === '0' || Money.isUsd(value),
        'EVM_MIN_SETTLEMENT_USD must be a decimal amount of dollars such as "0.001" (0 turns it off)',
      )
      .optional(),
  ),
  SETTLER_PRIVATE_KEY: optionalText.pipe(
    z
      .string({ error: 'SETTLER_PRIVATE_KEY is required (the account that submits payments and pays their gas)' })
      .regex(/^0x[0-9a-fA-F]{64}$/, 'SETTLER_PRIVATE_KEY must be a 0x-prefixed 32-byte hex private key'),
  ),
})

/**
 * Reads the rail configuration from environment variables and validates it.
 * When EVM_TOKEN_ADDRESS is unset on Base or Base Sepolia, USDC there is used; the EIP-712
 * name/version default to the known token's (Base Sepolia USDC signs as "USDC"), else "USD Coin"/"2".
 * Throws EvmConfigError listing every problem; the message never contains the private key.
 */
export function loadEvmConfig(env: Record<string, string | undefined> = process.env): EvmConfig {
  const parsed = EnvSchema.safeParse(env)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `- ${issue.message}`)
    throw new EvmConfigError(`EVM rail configuration is invalid:\n${problems.join('\n')}`)
  }
  const values = parsed.data
  const chainId = values.EVM_CHAIN_ID
  const tokenAddress = values.EVM_TOKEN_ADDRESS
    ? getAddress(values.EVM_TOKEN_ADDRESS.toLowerCase())
    : knownTokens.find((token) => token.chainId === chainId)?.tokenAddress
  if (!tokenAddress)
    throw new EvmConfigError(
      `EVM rail configuration is invalid:\n- EVM_TOKEN_ADDRESS is required on chain ${chainId} (it defaults only on Base ${usdcBase.chainId} and Base Sepolia ${usdcBaseSepolia.chainId})`,
    )
  const known = knownTokens.find((token) => token.chainId === chainId && token.tokenAddress === tokenAddress)
  return createEvmConfig({
    rpcUrl: values.EVM_RPC_URL,
    chainId,
    tokenAddress,
    tokenName: values.EVM_TOKEN_NAME ?? known?.tokenName ?? defaults.tokenName,
    tokenVersion: values.EVM_TOKEN_VERSION ?? known?.tokenVersion ?? defaults.tokenVersion,
    tokenDecimals: values.EVM_TOKEN_DECIMALS ?? known?.tokenDecimals ?? defaults.tokenDecimals,
    escrowAddress: values.EVM_ESCROW_ADDRESS as Address | undefined,
    confirmations: values.EVM_CONFIRMATIONS ?? defaults.confirmations,
    settlerPrivateKey: values.SETTLER_PRIVATE_KEY as Hex,
    pollingIntervalMs: values.EVM_POLLING_INTERVAL_MS,
    receiptTimeoutMs: values.EVM_RECEIPT_TIMEOUT_MS ?? defaults.receiptTimeoutMs,
    minSettlementUsd: values.EVM_MIN_SETTLEMENT_USD ?? defaults.minSettlementUsd,
  })
}

type DefaultedSetting =
  'confirmations' | 'tokenName' | 'tokenVersion' | 'tokenDecimals' | 'pollingIntervalMs' | 'receiptTimeoutMs' | 'minSettlementUsd'

export type CreateEvmConfigParameters = Omit<EvmConfig, DefaultedSetting> & Partial<Pick<EvmConfig, DefaultedSetting>>

/** Builds a config in code (tests, scripts), with the same defaults and key hiding as loadEvmConfig. */
export function createEvmConfig(parameters: CreateEvmConfigParameters): EvmConfig {
  try {
    privateKeyToAccount(parameters.settlerPrivateKey)
  } catch {
    throw new EvmConfigError('EVM rail configuration is invalid:\n- SETTLER_PRIVATE_KEY is not a valid secp256k1 private key')
  }
  const config: EvmConfig = {
    rpcUrl: parameters.rpcUrl,
    chainId: parameters.chainId,
    tokenAddress: getAddress(parameters.tokenAddress.toLowerCase()),
    tokenName: parameters.tokenName ?? defaults.tokenName,
    tokenVersion: parameters.tokenVersion ?? defaults.tokenVersion,
    tokenDecimals: parameters.tokenDecimals ?? defaults.tokenDecimals,
    ...(parameters.escrowAddress ? { escrowAddress: getAddress(parameters.escrowAddress.toLowerCase()) } : {}),
    confirmations: parameters.confirmations ?? defaults.confirmations,
    ...(parameters.pollingIntervalMs !== undefined ? { pollingIntervalMs: parameters.pollingIntervalMs } : {}),
    receiptTimeoutMs: parameters.receiptTimeoutMs ?? defaults.receiptTimeoutMs,
    minSettlementUsd: canonicalMinimum(parameters.minSettlementUsd ?? defaults.minSettlementUsd),
    settlerPrivateKey: parameters.settlerPrivateKey,
  }
  // Keep the key out of console.log, util.inspect and JSON.stringify of the config.
  Object.defineProperty(config, 'settlerPrivateKey', { enumerable: false })
  return config
}

function canonicalMinimum(usd: string): string {
  if (usd === '0') return usd
  if (!Money.isUsd(usd))
    throw new EvmConfigError(`EVM rail configuration is invalid:\n- the minimum settlement "${usd}" is not a decimal USD amount`)
  return Money.parseUsd(usd)
}

/** The smallest amount, in token base units, the settler submits and pays gas for (rounded up). */
export function minServerSettlementAmount(config: Pick<EvmConfig, 'minSettlementUsd' | 'tokenDecimals'>): bigint {
  if (config.minSettlementUsd === '0') return 0n
  const [whole, fraction = ''] = config.minSettlementUsd.split('.')
  const digits = config.tokenDecimals
  const units = BigInt(whole! + fraction.slice(0, digits).padEnd(digits, '0'))
  return /[1-9]/.test(fraction.slice(digits)) ? units + 1n : units
}

/**
 * The server-settlement minimum the EVM rail would use with this environment, or null when the rail is
 * off (no EVM_RPC_URL) or the value is invalid (the rail itself then refuses to start). For the dashboard.
 */
export function loadMinSettlementUsd(env: Record<string, string | undefined> = process.env): string | null {
  if (!env.EVM_RPC_URL?.trim()) return null
  const value = env.EVM_MIN_SETTLEMENT_USD?.trim() || defaults.minSettlementUsd
  if (value === '0') return value
  return Money.isUsd(value) ? Money.parseUsd(value) : null
}
