// Stripe's documented test payment methods and card numbers, reduced to the outcome each produces.
// https://docs.stripe.com/testing

export type Outcome = 'succeeds' | 'declined' | 'insufficient_funds' | 'authentication_required'

export type Card = { brand: string; last4: string; outcome: Outcome }

/** `pm_card_*` test payment methods: each use creates a fresh `pm_…` with these details. */
export const testPaymentMethods: Readonly<Record<string, Card>> = {
  pm_card_visa: { brand: 'visa', last4: '4242', outcome: 'succeeds' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444', outcome: 'succeeds' },
  pm_card_chargeDeclined: { brand: 'visa', last4: '0002', outcome: 'declined' },
  pm_card_chargeDeclinedInsufficientFunds: { brand: 'visa', last4: '9995', outcome: 'insufficient_funds' },
  pm_card_authenticationRequired: { brand: 'visa', last4: '3184', outcome: 'authentication_required' },
  pm_card_threeDSecure2Required: { brand: 'visa', last4: '3220', outcome: 'authentication_required' },
}

/** Test card numbers, as typed into the Payment Element. */
export const testCardNumbers: Readonly<Record<string, Card>> = {
  '4242424242424242': { brand: 'visa', last4: '4242', outcome: 'succeeds' },
  '5555555555554444': { brand: 'mastercard', last4: '4444', outcome: 'succeeds' },
  '4000000000000002': { brand: 'visa', last4: '0002', outcome: 'declined' },
  '4000000000009995': { brand: 'visa', last4: '9995', outcome: 'insufficient_funds' },
  '4000002760003184': { brand: 'visa', last4: '3184', outcome: 'authentication_required' },
  '4000002500003155': { brand: 'visa', last4: '3155', outcome: 'authentication_required' },
  '4000000000003220': { brand: 'visa', last4: '3220', outcome: 'authentication_required' },
}

/**
 * Shared Payment Tokens that exist without a test-helper call: the prefix picks the outcome and
 * any alphanumeric suffix makes a fresh single-use token (`spt_testOk1`, `spt_testOk2`, …).
 * Real token ids have no underscore after `spt_`, and Tollgate's payload schema enforces that.
 */
export const sharedPaymentTokenPrefixes: ReadonlyArray<readonly [string, Card]> = [
  ['spt_testRequiresAction', { brand: 'visa', last4: '3184', outcome: 'authentication_required' }],
  ['spt_testInsufficientFunds', { brand: 'visa', last4: '9995', outcome: 'insufficient_funds' }],
  ['spt_testDeclined', { brand: 'visa', last4: '0002', outcome: 'declined' }],
  ['spt_testOk', { brand: 'visa', last4: '4242', outcome: 'succeeds' }],
]

export function cardForSharedPaymentToken(token: string): Card | undefined {
  return sharedPaymentTokenPrefixes.find(([prefix]) => token.startsWith(prefix))?.[1]
}

/** The `last_payment_error` / card_error fields Stripe reports for a failed outcome. */
export function declineFor(outcome: Exclude<Outcome, 'succeeds' | 'authentication_required'>): {
  code: string
  declineCode: string
  message: string
} {
  if (outcome === 'insufficient_funds')
    return { code: 'card_declined', declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' }
  return { code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.' }
}
