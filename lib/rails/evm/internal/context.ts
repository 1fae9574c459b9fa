// What every settlement step needs: configuration, database, chain access and the settler.
import type { PublicClient } from 'viem'
import type { Db } from '@/lib/store/db'
import type { EvmConfig } from '../Config'
import type { Settler } from './Settler'

export type RailContext = {
  config: EvmConfig
  db: Db
  publicClient: PublicClient
  settler: Settler
  /** Current time in unix seconds (the clock validity windows are judged by). */
  now(): bigint
}

export const rail = 'evm'
