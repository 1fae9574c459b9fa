// What every step of the session rail needs: the charge rail's chain access and settler (shared, so
// session and charge transactions take turns for one key's nonces), the escrow, and the settings.
import type { Address } from 'viem'
import type * as Evm from '@/lib/protocol/methods/evm'
import type * as EvmSession from '@/lib/protocol/methods/evmSession'
import type { Db } from '@/lib/store/db'
import type { RailContext } from '../../internal/context'
import type { SessionSettings } from '../Config'
import type { ChannelFactsCache } from './channel-facts'

export type SessionContext = {
  rail: RailContext
  db: Db
  chainId: number
  escrow: Address
  token: Address
  /** The channels' payee: the settler account, the only key that can call the escrow's payee-only settle and close. */
  payee: Address
  settings: SessionSettings
  /** The vouchers' EIP-712 domain (this escrow on this chain). */
  domain: EvmSession.Voucher.Domain
  /** The token's EIP-712 domain, for the payers' receiveWithAuthorization signatures. */
  tokenDomain: Evm.TokenDomain
  /** Base units: the smallest deposit the server relays (feePayer). */
  minDeposit: bigint
  /** Base units: unsettled amount at which a channel is settled. */
  settleThreshold: bigint
  /** EOA voucher signers' keys recovered before: a known signer's voucher is checked without a recovery. */
  signerKeys: EvmSession.Voucher.SignerKeys
  /** What never changes about the channels seen: a voucher on a known channel is charged without reading it first. */
  channelFacts: ChannelFactsCache
  /** Resolves once the escrow was found and its grace period meets the spec's minimum (throws otherwise). */
  escrowReady(): Promise<EscrowFacts>
}

export type EscrowFacts = { closeGracePeriodSeconds: bigint }
