// How often to ask the node for a receipt: as configured, or following the chain's block time, so a
// 2 s chain is polled every 500 ms and a local chain every 50 ms instead of a fixed second.
import type { PublicClient } from 'viem'

/** Blocks the block time is averaged over. */
const sampleBlocks = 20n
export const minPollingIntervalMs = 50
export const maxPollingIntervalMs = 1_000
/** Until the block time is known (or when it cannot be read). */
export const fallbackPollingIntervalMs = 1_000

export type ReceiptPolling = {
  /** The interval to poll at now; the first call starts measuring the block time and answers the fallback meanwhile. */
  intervalMs(): number
  /** Resolves once the interval is known (tests, and the first settlement, which can afford to wait a round trip). */
  ready(): Promise<number>
}

export function receiptPolling(publicClient: PublicClient, configuredMs: number | undefined): ReceiptPolling {
  if (configuredMs !== undefined) return { intervalMs: () => configuredMs, ready: async () => configuredMs }
  let measured: number | undefined
  let measuring: Promise<number> | undefined
  const measure = () =>
    (measuring ??= averageBlockTimeMs(publicClient).then(
      (blockTimeMs) => (measured = pollingIntervalFor(blockTimeMs)),
      // Try again on a later settlement; poll at the fallback meanwhile.
      () => ((measuring = undefined), fallbackPollingIntervalMs),
    ))
  return {
    intervalMs: () => {
      if (measured !== undefined) return measured
      void measure()
      return fallbackPollingIntervalMs
    },
    ready: () => (measured !== undefined ? Promise.resolve(measured) : measure()),
  }
}

/** A quarter of the block time, within 50 ms and 1 s: on average a receipt is noticed an eighth of a block after it exists. */
export function pollingIntervalFor(blockTimeMs: number): number {
  return Math.min(maxPollingIntervalMs, Math.max(minPollingIntervalMs, Math.round(blockTimeMs / 4)))
}

/** Mean time between the last blocks, from their timestamps (0 on a chain that mines on demand within one second). */
async function averageBlockTimeMs(publicClient: PublicClient): Promise<number> {
  const latest = await publicClient.getBlock({ blockTag: 'latest' })
  const span = latest.number < sampleBlocks ? latest.number : sampleBlocks
  if (span === 0n) return 0
  const earlier = await publicClient.getBlock({ blockNumber: latest.number - span })
  return (Number(latest.timestamp - earlier.timestamp) * 1000) / Number(span)
}
