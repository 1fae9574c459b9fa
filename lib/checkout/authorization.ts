// Browser-safe: the EIP-3009 authorization a payer signs for an evm/charge offer, and the MPP
// credential that carries it (or a transfer's hash). Bound to the challenge: nonce = keccak256(id ‖ realm).
import { getAddress } from 'viem'
import type { EvmOffer } from './offers'
import * as Wire from './wire'

/** The token's EIP-712 name and version (e.g. "USD Coin", "2"), which the offer itself does not carry. */
export type TokenDomainNames = { name: string; version: string }

/** Without a challenge expiry, authorizations last this long (the server accepts up to 300 s + skew). */
export const defaultValiditySeconds = 240n

export type PreparedAuthorization = {
  authorization: Wire.Authorization
  /** The `eth_signTypedData_v4` document the wallet shows and signs. */
  typedDataJson: string
}

/** What the wallet is asked to sign: exactly the offer's amount to its recipient, valid until the challenge expires. */
export function prepareAuthorization(
  offer: EvmOffer,
  from: Wire.Hex,
  token: TokenDomainNames,
  now: number = Date.now(),
): PreparedAuthorization {
  const validBefore =
    offer.expiresAt !== null ? BigInt(Math.floor(offer.expiresAt / 1000)) : BigInt(Math.floor(now / 1000)) + defaultValiditySeconds
  const authorization: Wire.Authorization = {
    from: getAddress(from),
    to: getAddress(offer.recipient),
    value: offer.amount.toString(),
    validAfter: '0',
    validBefore: validBefore.toString(),
    nonce: Wire.authorizationNonce(offer.challenge.id, offer.challenge.realm),
  }
  const domain: Wire.TokenDomain = {
    name: token.name,
    version: token.version,
    chainId: offer.chainId,
    verifyingContract: getAddress(offer.currency),
  }
  return { authorization, typedDataJson: Wire.transferWithAuthorizationJson(domain, authorization) }
}

/** `Authorization: Payment …` for a signed authorization, naming the payer as a did:pkh source. */
export function authorizationCredential(offer: EvmOffer, prepared: PreparedAuthorization, signature: Wire.Hex): string {
  const payload = { type: 'authorization', ...prepared.authorization, signature }
  return Wire.serializeCredential({
    challenge: offer.challenge,
    payload,
    source: Wire.payerSource(offer.chainId, prepared.authorization.from),
  })
}

/** `Authorization: Payment …` for a transfer the payer broadcast from their wallet. */
export function hashCredential(offer: EvmOffer, hash: Wire.Hex, from: Wire.Hex): string {
  return Wire.serializeCredential({
    challenge: offer.challenge,
    payload: { type: 'hash', hash },
    source: Wire.payerSource(offer.chainId, getAddress(from)),
  })
}
