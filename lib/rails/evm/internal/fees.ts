// EIP-1559 fees for a settlement: the base fee of the latest block (read with every verification
// anyway) plus a priority fee that is asked for at most once per polling interval (a quarter block).
import { type Block, type PublicClient, hexToBigInt } from 'viem'

export type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }

export type FeeOracle = {
  /** The node's suggested priority fee, shared by settlements verified within `maxAgeMs` of each other. */
  tip(maxAgeMs: number): Promise<bigint | undefined>
}

export function createFeeOracle(publicClient: PublicClient): FeeOracle {
  let cached: { at: number; value: Promise<bigint | undefined> } | undefined
  return {
    tip(maxAgeMs) {
      if (cached && Date.now() - cached.at < maxAgeMs) return cached.value
      const value = publicClient.request({ method: 'eth_maxPriorityFeePerGas' }).then(
        (hex) => hexToBigInt(hex),
        // Nodes without the method (or unreachable): the settler falls back to viem's own estimate.
        () => ((cached = undefined), undefined),
      )
      cached = { at: Date.now(), value }
      return value
    },
  }
}

/** viem's rule: 20% over the latest base fee absorbs a full block of base-fee growth (12.5%), plus the tip. */
export function feesOn(block: Pick<Block, 'baseFeePerGas'>, tip: bigint | undefined): Fees | undefined {
  if (typeof block.baseFeePerGas !== 'bigint' || tip === undefined) return undefined
  return { maxFeePerGas: (block.baseFeePerGas * 12n) / 10n + tip, maxPriorityFeePerGas: tip }
}
