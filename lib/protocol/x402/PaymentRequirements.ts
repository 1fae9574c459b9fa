// One x402 v2 `PaymentRequirements` entry for the `exact` scheme on an EVM network
// (specs/x402-specification-v2.md 5.1, specs/schemes/exact/scheme_exact_evm.md).
import { getAddress, type Address } from 'viem'
import * as Evm from '@/lib/protocol/methods/evm'

/** CAIP-2 identifier of an EVM chain. */
export type Network = `eip155:${number}`

/** How the payer's funds move: EIP-3009 transferWithAuthorization, or Permit2 through the x402 proxy. */
export type AssetTransferMethod = 'eip3009' | 'permit2'

export type ExactEvm = {
  scheme: 'exact'
  network: Network
  /** Atomic token units, base-10. */
  amount: string
  /** The token contract (EIP-55). */
  asset: Address
  payTo: Address
  maxTimeoutSeconds: number
  /** The token's EIP-712 domain `name` and `version`, which the payer needs to sign. */
  extra: { assetTransferMethod?: AssetTransferMethod; name: string; version: string }
}

export class InvalidRequirementsParametersError extends Error {
  override name = 'InvalidRequirementsParametersError'
}

export type ExactEvmParameters = {
  chainId: number
  asset: Address
  amount: bigint | string
  payTo: Address
  maxTimeoutSeconds: number
  /** EIP-712 domain name of the token, e.g. "USD Coin" on Base, "USDC" on Base Sepolia. */
  name: string
  version: string
  /** Defaults to `eip3009`, the method Tollgate settles; written out so clients need not guess. */
  assetTransferMethod?: AssetTransferMethod
}

/** Builds requirements with EIP-55 addresses, in the spec's field order. */
export function exactEvm(parameters: ExactEvmParameters): ExactEvm {
  const amount = parameters.amount.toString()
  if (!Evm.Uint256StringSchema.safeParse(amount).success)
    throw new InvalidRequirementsParametersError('amount must be a non-negative integer')
  if (!Number.isSafeInteger(parameters.chainId) || parameters.chainId <= 0)
    throw new InvalidRequirementsParametersError('chainId must be a positive integer')
  if (!Number.isSafeInteger(parameters.maxTimeoutSeconds) || parameters.maxTimeoutSeconds <= 0)
    throw new InvalidRequirementsParametersError('maxTimeoutSeconds must be a positive integer')
  if (parameters.name === '' || parameters.version === '')
    throw new InvalidRequirementsParametersError('the token EIP-712 name and version are required')
  return {
    scheme: 'exact',
    network: network(parameters.chainId),
    amount,
    asset: checksum(parameters.asset, 'asset'),
    payTo: checksum(parameters.payTo, 'payTo'),
    maxTimeoutSeconds: parameters.maxTimeoutSeconds,
    extra: {
      assetTransferMethod: parameters.assetTransferMethod ?? 'eip3009',
      name: parameters.name,
      version: parameters.version,
    },
  }
}

export function network(chainId: number): Network {
  return `eip155:${chainId}`
}

/** The chain id of an `eip155:<id>` network, or undefined for anything else. */
export function chainIdOf(network: string): number | undefined {
  const match = /^eip155:([1-9][0-9]*)$/.exec(network)
  if (!match) return undefined
  const chainId = Number(match[1])
  return Number.isSafeInteger(chainId) ? chainId : undefined
}

/** The EIP-712 domain an EIP-3009 authorization for these requirements is signed under. */
export function domain(requirements: ExactEvm): Evm.TokenDomain {
  const chainId = chainIdOf(requirements.network)
  if (chainId === undefined) throw new InvalidRequirementsParametersError('network is not an eip155 chain')
  return {
    name: requirements.extra.name,
    version: requirements.extra.version,
    chainId,
    verifyingContract: requirements.asset,
  }
}

function checksum(address: string, field: string): Address {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new InvalidRequirementsParametersError(`${field} is not an address`)
  return getAddress(address.toLowerCase())
}
