// What every settlement step needs: configuration, database, chain access and the settler.
import type { PublicClient } from 'viem'
import type { Db } from '@/lib/store/db'
import type { EvmConfig } from '../Config'
import type { ReceiptPolling } from './blockTime'
import type { Broadcaster } from './Broadcaster'
import type { FeeOracle } from './fees'
import type { Settler } from './Settler'

export type RailContext = {
  config: EvmConfig
  db: Db
  publicClient: PublicClient
  settler: Settler
  /** Sends signed transactions (payer-signed ones too), with the receipt where the node returns it. */
  broadcaster: Broadcaster
  fees: FeeOracle
  /** How often to poll for a receipt the node did not send with its answer. */
  polling: ReceiptPolling
  /** Current time in unix seconds (the clock validity windows are judged by). */
  now(): bigint
}

export const rail = 'evm'

// Each charge rail's context, so a session rail built beside it signs with the very same settler (one
// nonce and one turn per key in this process) instead of a second one racing it for nonces.
const contexts = new WeakMap<object, RailContext>()

export function registerContext(rail: object, context: RailContext): void {
  contexts.set(rail, context)
}

export function contextOf(rail: object): RailContext | undefined {
  return contexts.get(rail)
}
