// Browser-safe: the payment offers of a 402 as the checkout uses them. Parsed without zod (it
// stays out of the first-load bundle); the server re-validates everything a credential echoes.
import * as Challenge from '@/lib/protocol/Challenge'

export type Address = `0x${string}`

export type EvmOffer = {
  challenge: Challenge.Challenge
  /** Base units of `currency`. */
  amount: bigint
  currency: Address
  recipient: Address
  chainId: number
  decimals: number
  credentialTypes: readonly string[]
  /** Epoch ms the challenge stops being accepted, or null when it has no expiry. */
  expiresAt: number | null
}

export type StripeOffer = { challenge: Challenge.Challenge; amountCents: number; expiresAt: number | null }

export type Offers = { evm: EvmOffer | null; stripe: StripeOffer | null; all: Challenge.Challenge[] }

const address = /^0x[0-9a-fA-F]{40}$/
const uint = /^(?:0|[1-9][0-9]{0,77})$/

/** The first usable offer per method from a `WWW-Authenticate` value; malformed offers are skipped. */
export function readOffers(wwwAuthenticate: string | null): Offers {
  let all: Challenge.Challenge[] = []
  try {
    all = wwwAuthenticate ? Challenge.deserializeList(wwwAuthenticate) : []
  } catch {
    all = []
  }
  let evm: EvmOffer | null = null
  let stripe: StripeOffer | null = null
  for (const challenge of all) {
    if (challenge.intent !== 'charge') continue
    if (challenge.method === 'evm' && !evm) evm = readEvmOffer(challenge)
    if (challenge.method === 'stripe' && !stripe) stripe = readStripeOffer(challenge)
  }
  return { evm, stripe, all }
}

export function readEvmOffer(challenge: Challenge.Challenge): EvmOffer | null {
  const request = challenge.request as Record<string, unknown>
  const details = request.methodDetails as Record<string, unknown> | undefined
  const { amount, currency, recipient } = request
  if (typeof amount !== 'string' || !uint.test(amount)) return null
  if (typeof currency !== 'string' || !address.test(currency)) return null
  if (typeof recipient !== 'string' || !address.test(recipient)) return null
  if (!details || typeof details.chainId !== 'number' || !Number.isSafeInteger(details.chainId) || details.chainId <= 0) return null
  const decimals =
    typeof details.decimals === 'number' && Number.isInteger(details.decimals) && details.decimals >= 0 && details.decimals <= 36
      ? details.decimals
      : 6
  const credentialTypes = Array.isArray(details.credentialTypes)
    ? details.credentialTypes.filter((t): t is string => typeof t === 'string')
    : ['transaction', 'hash']
  return {
    challenge,
    amount: BigInt(amount),
    currency: currency as Address,
    recipient: recipient as Address,
    chainId: details.chainId,
    decimals,
    credentialTypes,
    expiresAt: expiresAt(challenge),
  }
}

function readStripeOffer(challenge: Challenge.Challenge): StripeOffer | null {
  const amount = (challenge.request as Record<string, unknown>).amount
  const cents =
    typeof amount === 'string' && /^[1-9][0-9]{0,11}$/.test(amount)
      ? Number(amount)
      : typeof amount === 'number' && Number.isSafeInteger(amount)
        ? amount
        : null
  return cents === null ? null : { challenge, amountCents: cents, expiresAt: expiresAt(challenge) }
}

function expiresAt(challenge: Challenge.Challenge): number | null {
  if (challenge.expires === undefined) return null
  const ms = Date.parse(challenge.expires)
  return Number.isNaN(ms) ? 0 : ms
}

/** Whether an offer still has `marginMs` to run: enough to sign and settle before it lapses. */
export function isFresh(offer: { expiresAt: number | null }, now: number = Date.now(), marginMs = 30_000): boolean {
  return offer.expiresAt === null || offer.expiresAt - now > marginMs
}

/** Whole US cents an EVM offer is worth when its token is a dollar stablecoin; null when not whole cents. */
export function usdCents(offer: Pick<EvmOffer, 'amount' | 'decimals'>): number | null {
  if (offer.decimals < 2) return null
  const unit = 10n ** BigInt(offer.decimals - 2)
  return offer.amount % unit === 0n ? Number(offer.amount / unit) : null
}
