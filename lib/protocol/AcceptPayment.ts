// `Accept-Payment: tempo/charge, stripe/charge;q=0.5, */session;q=0` — the client's method/intent preferences
// (draft-httpauth-payment §"Client Payment Preferences"). Browser-safe.
import { intentToken, isTchar, methodId } from './internal/Grammar'

/** One payment-range; `method` and `intent` may be the wildcard "*". */
export type Range = { method: string; intent: string; q: number }
export type Offer = { method: string; intent: string }

export const headerName = 'Accept-Payment'

/** Thrown by `parse` for a header value that does not follow the Accept-Payment grammar. */
export class MalformedAcceptPaymentError extends Error {
  override name = 'MalformedAcceptPaymentError'
}

const qvalue = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/

/**
 * Parses `#payment-range` where payment-range = method-or-"*" "/" intent-or-"*" [ OWS ";" OWS "q=" qvalue ].
 * Empty list elements are skipped (RFC 9110 §5.6.1); other `;name=value` parameters are ignored.
 */
export function parse(value: string): Range[] {
  if (typeof value !== 'string') throw new MalformedAcceptPaymentError('header value must be a string')
  const ranges: Range[] = []
  let i = 0
  const fail = (message: string): never => {
    throw new MalformedAcceptPaymentError(`${message} at offset ${i}`)
  }
  const skipWhitespace = () => {
    while (value[i] === ' ' || value[i] === '\t') i++
  }
  const readToken = () => {
    const start = i
    while (i < value.length && isTchar(value.charCodeAt(i))) i++
    return value.slice(start, i)
  }
  for (;;) {
    while (value[i] === ' ' || value[i] === '\t' || value[i] === ',') i++
    if (i >= value.length) return ranges
    const method = readToken()
    if (method !== '*' && !methodId.test(method)) fail('expected a lowercase payment method or "*"')
    if (value[i] !== '/') fail('expected "/"')
    i++
    const intent = readToken()
    if (intent !== '*' && !intentToken.test(intent)) fail('expected an intent or "*"')
    let q: number | undefined
    for (;;) {
      const beforeParam = i
      skipWhitespace()
      if (value[i] !== ';') {
        i = beforeParam
        break
      }
      i++
      skipWhitespace()
      const name = readToken().toLowerCase()
      if (!name) fail('expected a parameter name')
      if (value[i] !== '=') fail('expected "="')
      i++
      const quoted = value[i] === '"'
      const paramValue = quoted ? readQuoted() : readToken()
      if (!quoted && !paramValue) fail('expected a parameter value')
      if (name !== 'q') continue
      if (q !== undefined) fail('duplicate q parameter')
      if (!qvalue.test(paramValue)) fail('q must be a qvalue between 0 and 1 with at most 3 decimals')
      q = Number(paramValue)
    }
    skipWhitespace()
    if (i < value.length && value[i] !== ',') fail('expected "," between payment ranges')
    ranges.push({ method, intent, q: q ?? 1 })
  }

  function readQuoted(): string {
    i++
    let out = ''
    while (i < value.length) {
      const char = value[i++]!
      if (char === '"') return out
      if (char === '\\') {
        if (i >= value.length) break
        out += value[i++]
        continue
      }
      const code = char.charCodeAt(0)
      if (code < 0x20 && code !== 0x09) fail('control character in quoted-string')
      if (code === 0x7f || code > 0xff) fail('invalid character in quoted-string')
      out += char
    }
    return fail('unterminated quoted-string')
  }
}

/** Formats ranges back into a header value (q omitted when 1). */
export function serialize(ranges: readonly Range[]): string {
  return ranges
    .map(({ method, intent, q }) => (q === 1 ? `${method}/${intent}` : `${method}/${intent};q=${Number(q.toFixed(3))}`))
    .join(', ')
}

/**
 * The preference that applies to `offer`: the most specific matching range (no wildcard beats one
 * wildcard beats two); among equally specific ones, the highest q.
 */
export function match(offer: Offer, ranges: readonly Range[]): Range | undefined {
  let best: Range | undefined
  let bestSpecificity = -1
  for (const range of ranges) {
    if (range.method !== '*' && range.method !== offer.method) continue
    if (range.intent !== '*' && range.intent !== offer.intent) continue
    const specificity = Number(range.method !== '*') + Number(range.intent !== '*')
    if (specificity > bestSpecificity || (specificity === bestSpecificity && range.q > best!.q)) {
      best = range
      bestSpecificity = specificity
    }
  }
  return best
}

/**
 * Offers the client accepts (q > 0), by descending q; equal q keeps the server's order (the spec's SHOULD).
 * May be empty.
 */
export function rank<T extends Offer>(offers: readonly T[], ranges: readonly Range[]): T[] {
  return offers
    .map((offer, index) => ({ offer, index, q: match(offer, ranges)?.q ?? 0 }))
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((entry) => entry.offer)
}

/**
 * What a server should offer for this request's `Accept-Payment` value. Absent or malformed header, or no
 * acceptable offer: every offer in server order (the spec lets servers ignore the header then, and a 402
 * must always carry a challenge). Otherwise `rank`.
 */
export function select<T extends Offer>(offers: readonly T[], header: string | null | undefined): T[] {
  if (header === null || header === undefined) return [...offers]
  let ranges: Range[]
  try {
    ranges = parse(header)
  } catch (error) {
    if (error instanceof MalformedAcceptPaymentError) return [...offers]
    throw error
  }
  const ranked = rank(offers, ranges)
  return ranked.length > 0 ? ranked : [...offers]
}
