// On-chain facts the end-to-end tests assert: token balances and Transfer logs, read with viem.
import { type Address, type Hex, createPublicClient, erc20Abi, http, isAddressEqual, parseAbiItem, parseEventLogs, parseUnits } from 'viem'
import type { TestChain } from '@/test/support/chain'

const transferEvent = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)')

/** TestUSDC has 6 decimals, like USDC. */
export const tokenDecimals = 6

/** A decimal USD price in token base units ("0.01" -> 10000n). */
export function baseUnits(priceUsd: string): bigint {
  return parseUnits(priceUsd, tokenDecimals)
}

export type Ledger = {
  balanceOf(account: Address): Promise<bigint>
  /** Transfer logs of the token to `recipient` since `fromBlock`. */
  transfersTo(recipient: Address, fromBlock?: bigint): Promise<Array<{ from: Address; value: bigint; transactionHash: Hex }>>
  blockNumber(): Promise<bigint>
  /** The Transfer log(s) a transaction emitted. */
  transfersIn(txHash: Hex): Promise<Array<{ from: Address; to: Address; value: bigint }>>
}

export function ledger(chain: TestChain): Ledger {
  const client = createPublicClient({ transport: http(chain.rpcUrl) })
  return {
    balanceOf: (account) => client.readContract({ address: chain.token, abi: erc20Abi, functionName: 'balanceOf', args: [account] }),
    transfersTo: async (recipient, fromBlock = 0n) => {
      const logs = await client.getLogs({
        address: chain.token,
        event: transferEvent,
        args: { to: recipient },
        fromBlock,
        toBlock: 'latest',
      })
      return logs.map((log) => ({ from: log.args.from!, value: log.args.value!, transactionHash: log.transactionHash }))
    },
    // Uncached: viem keeps a block number 4 s on a client without a polling interval, older than a just-mined transfer.
    blockNumber: () => client.getBlockNumber({ cacheTime: 0 }),
    transfersIn: async (txHash) => {
      const receipt = await client.getTransactionReceipt({ hash: txHash })
      const logs = parseEventLogs({ abi: [transferEvent], logs: receipt.logs }).filter((log) => isAddressEqual(log.address, chain.token))
      return logs.map((log) => ({ from: log.args.from, to: log.args.to, value: log.args.value }))
    },
  }
}
