// Browser-safe: the EIP-3009 authorization a payer signs for an evm/charge offer, and the MPP
// credential that carries it (or a transfer's hash). Bound to the challenge: nonce = keccak256(id ‖ realm).
import * as Credential from '@/lib/protocol/Credential'
import * as Evm from '@/lib/protocol/methods/evm'
import type { Address, EvmOffer } from './offers'

/** The token's EIP-712 name and version (e.g. "USD Coin", "2"), which the offer itself does not carry. */
export type TokenDomainNames = { name: string; version: string }

/** Without a challenge expiry, authorizations last this long (the server accepts up to 300 s + skew). */
export const defaultValiditySeconds = 240n

export type PreparedAuthorization = {
  authorization: Evm.Authorization
  typedData: Evm.TransferWithAuthorizationTypedData
}

/** What the wallet is asked to sign: exactly the offer's amount to its recipient, valid until the challenge expires. */
export function prepareAuthorization(offer: EvmOffer, from: Address, token: TokenDomainNames, now: number = Date.now()): PreparedAuthorization {
  const validBefore = offer.expiresAt !== null ? BigInt(Math.floor(offer.expiresAt / 1000)) : BigInt(Math.floor(now / 1000)) + defaultValiditySeconds
  const authorization: Evm.Authorization = {
    from,
    to: offer.recipient,
    value: offer.amount.toString(),
    validAfter: '0',
    validBefore: validBefore.toString(),
    nonce: Evm.authorizationNonce(offer.challenge.id, offer.challenge.realm),
  }
  const domain: Evm.TokenDomain = { name: token.name, version: token.version, chainId: offer.chainId, verifyingContract: offer.currency }
  return { authorization, typedData: Evm.transferWithAuthorizationTypedData(domain, authorization) }
}

/** `Authorization: Payment …` for a signed authorization, naming the payer as a did:pkh source. */
export function authorizationCredential(offer: EvmOffer, prepared: PreparedAuthorization, signature: `0x${string}`): string {
  const payload: Evm.AuthorizationPayload = { type: 'authorization', ...prepared.authorization, signature }
  return Credential.serialize({ challenge: offer.challenge, payload, source: Evm.payerSource(offer.chainId, prepared.authorization.from) })
}

/** `Authorization: Payment …` for a transfer the payer broadcast from their wallet. */
export function hashCredential(offer: EvmOffer, hash: `0x${string}`, from: Address): string {
  const payload: Evm.HashPayload = { type: 'hash', hash }
  return Credential.serialize({ challenge: offer.challenge, payload, source: Evm.payerSource(offer.chainId, from) })
}
