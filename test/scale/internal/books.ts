// The two sets of books a payment must agree between: the chain (TestUSDC balances and Transfer
// logs, the settler's nonce) and the database (payments and settlement records), read directly.
import { type Address, type Hex, createPublicClient, erc20Abi, http, isAddressEqual, parseAbiItem, parseEventLogs } from 'viem'
import pg from 'pg'
import type { TestChain } from '@/test/support/chain'

const transferEvent = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)')

export type Transfer = { from: Address; to: Address; value: bigint; transactionHash: Hex; logIndex: number }

export type ChainBooks = {
  balanceOf(account: Address): Promise<bigint>
  blockNumber(): Promise<bigint>
  /** TestUSDC Transfer logs to `recipient` from `fromBlock` on. */
  transfersTo(recipient: Address, fromBlock: bigint): Promise<Transfer[]>
  /** The TestUSDC Transfer logs of one mined transaction. */
  transfersIn(txHash: Hex): Promise<Transfer[]>
  /** Transactions sent by `account`, mined or pending. */
  nonceOf(account: Address, blockTag?: 'latest' | 'pending'): Promise<number>
}

export function chainBooks(chain: TestChain): ChainBooks {
  const client = createPublicClient({ transport: http(chain.rpcUrl) })
  const toTransfer = (log: {
    args: { from?: Address; to?: Address; value?: bigint }
    transactionHash: Hex | null
    logIndex: number | null
  }): Transfer => ({
    from: log.args.from!,
    to: log.args.to!,
    value: log.args.value!,
    transactionHash: log.transactionHash!,
    logIndex: log.logIndex ?? -1,
  })
  return {
    balanceOf: (account) => client.readContract({ address: chain.token, abi: erc20Abi, functionName: 'balanceOf', args: [account] }),
    // viem caches the block number for its polling interval; a stale one would widen every range.
    blockNumber: () => client.getBlockNumber({ cacheTime: 0 }),
    transfersTo: async (recipient, fromBlock) => {
      const logs = (
        await client.getLogs({ address: chain.token, event: transferEvent, args: { to: recipient }, fromBlock, toBlock: 'latest' })
      ).map(toTransfer)
      const unique = new Map(logs.map((t) => [`${t.transactionHash}:${t.logIndex}`, t]))
      // A node answering the same log twice is the node's fault, not a second payment: say so and count it once.
      if (unique.size !== logs.length)
        console.log(`# the node returned ${logs.length - unique.size} duplicate Transfer log(s); counted once`)
      return [...unique.values()]
    },
    transfersIn: async (txHash) => {
      const receipt = await client.getTransactionReceipt({ hash: txHash })
      return parseEventLogs({ abi: [transferEvent], logs: receipt.logs })
        .filter((log) => isAddressEqual(log.address, chain.token))
        .map(toTransfer)
    },
    nonceOf: (account, blockTag = 'latest') => client.getTransactionCount({ address: account, blockTag }),
  }
}

export type PaymentRow = {
  id: string
  settlementKey: string
  reference: string
  amount: string
  payer: string | null
  protocol: string
  delivery: string
}
export type SettlementRow = { replayKey: string; status: string; txHash: string | null; updatedAt: Date }

export type DatabaseBooks = {
  payments(): Promise<PaymentRow[]>
  paymentFor(settlementKey: string): Promise<PaymentRow[]>
  settlement(replayKey: string): Promise<SettlementRow | null>
  settlements(statuses: string[]): Promise<SettlementRow[]>
  paymentsByReference(references: string[]): Promise<PaymentRow[]>
  settlementsByTxHash(hashes: string[]): Promise<SettlementRow[]>
  close(): Promise<void>
}

/** Reads the app's PostgreSQL with plain SQL; reconnects after a server restart. */
export function databaseBooks(databaseUrl: string): DatabaseBooks {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 })
  pool.on('error', () => {})
  const paymentColumns = `id, settlement_key AS "settlementKey", reference, amount, payer, protocol, delivery`
  const settlementColumns = `replay_key AS "replayKey", status, tx_hash AS "txHash", updated_at AS "updatedAt"`
  return {
    payments: async () => (await pool.query<PaymentRow>(`SELECT ${paymentColumns} FROM payments ORDER BY created_at`)).rows,
    paymentFor: async (key) =>
      (await pool.query<PaymentRow>(`SELECT ${paymentColumns} FROM payments WHERE settlement_key = $1`, [key])).rows,
    settlement: async (key) =>
      (await pool.query<SettlementRow>(`SELECT ${settlementColumns} FROM settlements WHERE replay_key = $1`, [key])).rows[0] ?? null,
    settlements: async (statuses) =>
      (await pool.query<SettlementRow>(`SELECT ${settlementColumns} FROM settlements WHERE status = ANY($1)`, [statuses])).rows,
    paymentsByReference: async (references) =>
      (await pool.query<PaymentRow>(`SELECT ${paymentColumns} FROM payments WHERE lower(reference) = ANY($1)`, [references])).rows,
    settlementsByTxHash: async (hashes) =>
      (await pool.query<SettlementRow>(`SELECT ${settlementColumns} FROM settlements WHERE lower(tx_hash) = ANY($1)`, [hashes])).rows,
    close: () => pool.end(),
  }
}
