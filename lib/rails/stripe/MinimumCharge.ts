// Stripe refuses charges below a per-currency minimum (USD: 50 cents); the rail is not offered below it.
// https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts

const minimumCents: Readonly<Record<string, number>> = {
  usd: 50,
  aud: 50,
  brl: 50,
  cad: 50,
  chf: 50,
  eur: 50,
  inr: 50,
  jpy: 50,
  nzd: 50,
  sgd: 50,
  gbp: 30,
  aed: 200,
  myr: 200,
  pln: 200,
  ron: 200,
  dkk: 250,
  nok: 300,
  sek: 300,
  hkd: 400,
  mxn: 1000,
  thb: 1000,
}

/** Stripe's largest amount for a single charge in most currencies ($999,999.99). */
export const maximumChargeCents = 99_999_999

/** The smallest amount Stripe charges in `currency`, in its smallest unit; unknown currencies get 50. */
export function minimumChargeCents(currency = 'usd'): number {
  return minimumCents[currency.toLowerCase()] ?? 50
}

/** Whether Stripe can charge `amountCents` in `currency`: a whole number between the minimum and maximum. */
export function canCharge(amountCents: number | bigint, currency = 'usd'): boolean {
  const amount = typeof amountCents === 'bigint' ? amountCents : Number.isSafeInteger(amountCents) ? BigInt(amountCents) : null
  if (amount === null) return false
  return amount >= BigInt(minimumChargeCents(currency)) && amount <= BigInt(maximumChargeCents)
}
