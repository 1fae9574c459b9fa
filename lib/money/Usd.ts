// Exact US-dollar amounts: decimal strings in, bigint base units out. No floating point anywhere,
// so "0.1" + "0.2" is exactly "0.3" and a price never drifts by a rounding error.

/** A validated, canonical price: no sign, no exponent, no leading zeros, no trailing fraction zeros. */
export type Usd = string & { readonly __brand: 'Usd' }

/** Prices above this are refused: a payment link is not a wire transfer, and it bounds the digits we handle. */
export const maxUsd = '1000000'
/** Sub-micro-dollar prices are not payable on 6-decimal stablecoins such as USDC. */
export const maxFractionDigits = 6

export class InvalidUsdError extends Error {
  override name = 'InvalidUsdError'
  readonly code = 'invalid_usd'
}

const decimalPattern = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/
// Base-unit arithmetic uses this many fraction digits; every valid price fits exactly.
const scale = maxFractionDigits
const maxMicros = 1_000_000n * 10n ** BigInt(scale)

/** Validates a decimal USD price string ("0.01", "5", "12.50") and returns its canonical form ("12.5"). */
export function parseUsd(input: unknown): Usd {
  if (typeof input !== 'string') throw new InvalidUsdError('price must be a string such as "0.01"')
  if (input.length > 32) throw new InvalidUsdError('price is too long')
  const match = decimalPattern.exec(input)
  if (!match)
    throw new InvalidUsdError(
      `price must be a plain decimal number of dollars such as "0.01" or "12.50" (digits and one optional point; no sign, spaces, exponent or leading zeros)`,
    )
  if ((match[2] ?? '').length > maxFractionDigits) throw new InvalidUsdError(`price can have at most ${maxFractionDigits} decimal places`)
  const fraction = (match[2] ?? '').replace(/0+$/, '')
  const micros = toMicros(match[1]!, fraction)
  if (micros <= 0n) throw new InvalidUsdError('price must be greater than zero')
  if (micros > maxMicros) throw new InvalidUsdError(`price can be at most $${Number(maxUsd).toLocaleString('en-US')}`)
  return (fraction ? `${match[1]}.${fraction}` : match[1]!) as Usd
}

/** True when parseUsd would accept the value. */
export function isUsd(input: unknown): input is Usd {
  try {
    parseUsd(input)
    return true
  } catch {
    return false
  }
}

/** The amount in a token's base units, e.g. "0.01" with 6 decimals -> 10000n. Refuses to round. */
export function usdToBaseUnits(usd: string, decimals: number): bigint {
  const canonical = parseUsd(usd)
  if (!Number.isSafeInteger(decimals) || decimals < 0 || decimals > 77)
    throw new InvalidUsdError('token decimals must be an integer between 0 and 77')
  const [whole, fraction = ''] = canonical.split('.')
  if (fraction.length > decimals)
    throw new InvalidUsdError(`price ${canonical} cannot be paid exactly in a token with ${decimals} decimals`)
  return BigInt(whole! + fraction.padEnd(decimals, '0'))
}

/** The amount in cents (Stripe's unit), or null when it is not a whole number of cents. */
export function usdToCents(usd: string): bigint | null {
  const [whole, fraction = ''] = parseUsd(usd).split('.')
  if (fraction.length > 2) return null
  return BigInt(whole! + fraction.padEnd(2, '0'))
}

/** "$1,234.50" from base units; at least two decimals, more only when they are not zero. Exact. */
export function formatUsd(baseUnits: bigint, decimals: number): string {
  if (!Number.isSafeInteger(decimals) || decimals < 0 || decimals > 77)
    throw new InvalidUsdError('token decimals must be an integer between 0 and 77')
  const negative = baseUnits < 0n
  const digits = (negative ? -baseUnits : baseUnits).toString().padStart(decimals + 1, '0')
  const whole = digits.slice(0, digits.length - decimals)
  const fraction = digits
    .slice(digits.length - decimals)
    .replace(/0+$/, '')
    .padEnd(2, '0')
  return `${negative ? '-' : ''}$${groupThousands(whole)}.${fraction}`
}

/** "$12.50" from a canonical or stored decimal string such as a price or a revenue sum. */
export function formatUsdDecimal(amount: string): string {
  const match = /^(-?)([0-9]+)(?:\.([0-9]+))?$/.exec(amount)
  if (!match) throw new InvalidUsdError(`not a decimal amount: ${JSON.stringify(amount.slice(0, 40))}`)
  const fraction = match[3] ?? ''
  return formatUsd(BigInt(`${match[1]}${match[2]}${fraction}`), fraction.length)
}

/** Canonical decimal text for any non-negative decimal string (e.g. a SQL numeric sum "0.030000" -> "0.03"). */
export function normalizeDecimal(amount: string): string {
  const match = /^([0-9]+)(?:\.([0-9]*))?$/.exec(amount)
  if (!match) throw new InvalidUsdError(`not a non-negative decimal amount: ${JSON.stringify(amount.slice(0, 40))}`)
  const whole = match[1]!.replace(/^0+(?=[0-9])/, '')
  const fraction = (match[2] ?? '').replace(/0+$/, '')
  return fraction ? `${whole}.${fraction}` : whole
}

function toMicros(whole: string, fraction: string): bigint {
  // Whole part is capped before BigInt so absurdly long inputs cannot make us allocate.
  if (whole.length > 8) return maxMicros + 1n
  return BigInt(whole) * 10n ** BigInt(scale) + BigInt(fraction.padEnd(scale, '0') || '0')
}

function groupThousands(whole: string): string {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}
