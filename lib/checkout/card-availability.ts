// Browser-safe: whether the checkout shows a card tab, and if not, the sentence that says why.
import type { CardStatus } from './load-checkout'

export type CardAvailability = { available: true } | { available: false; reason: Exclude<CardStatus, 'available'>; message: string }

export type CardAvailabilityParameters = {
  /** The server's verdict for a payment link; null for routes, where only the 402 tells. */
  serverStatus: CardStatus | null
  stripeConfigured: boolean
  /** Whether the 402 carried a stripe/charge offer. */
  hasStripeOffer: boolean
  /** The price in whole cents, when known. */
  priceCents: number | null
  /** e.g. "0.50" */
  minimumUsd: string
}

export function cardAvailability(parameters: CardAvailabilityParameters): CardAvailability {
  const { serverStatus, stripeConfigured, hasStripeOffer, priceCents, minimumUsd } = parameters
  if (hasStripeOffer && stripeConfigured && serverStatus !== 'not-configured' && serverStatus !== 'below-minimum')
    return { available: true }
  const belowMinimum =
    serverStatus === 'below-minimum' ||
    (stripeConfigured && serverStatus !== 'not-configured' && priceCents !== null && priceCents < Math.round(Number(minimumUsd) * 100))
  if (belowMinimum)
    return {
      available: false,
      reason: 'below-minimum',
      message: `This price is below the card minimum ($${minimumUsd}), so card payment is not offered. Pay with a wallet instead.`,
    }
  return { available: false, reason: 'not-configured', message: 'Card payments are not set up for this link. Pay with a wallet instead.' }
}
