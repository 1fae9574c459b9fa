// Durable identities of payments, so one payment can be settled (and delivered) at most once.
import type { Address, Hex } from 'viem'

/** An EIP-3009 authorization is unique per token, payer and nonce (MPP and x402 share this space). */
export function forAuthorization(chainId: number, token: Address, from: Address, nonce: Hex): string {
  return `${chainId}:${token.toLowerCase()}:${from.toLowerCase()}:${nonce.toLowerCase()}`
}

/** A payer-signed transfer is unique per transaction hash, whether we broadcast it or the payer did. */
export function forTransaction(chainId: number, txHash: Hex): string {
  return `${chainId}:${txHash.toLowerCase()}`
}

/** True for keys of this chain (so one database can serve rails on several chains). */
export function isOnChain(replayKey: string, chainId: number): boolean {
  return replayKey.startsWith(`${chainId}:`)
}
