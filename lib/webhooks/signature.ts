// Webhook signatures: `Tollgate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
// The timestamp is signed with the body, so a captured request cannot be replayed later with a new time.
import { createHmac, timingSafeEqual } from 'node:crypto'

export const headerName = 'Tollgate-Signature'
/** How old a signature a receiver should accept by default. */
export const defaultToleranceSeconds = 300

export function compute(secret: string, timestamp: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')
}

/** The header value for a body sent at `timestamp` (unix seconds). */
export function header(secret: string, rawBody: string, timestamp: number = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${compute(secret, timestamp, rawBody)}`
}

/** Receiver side: true when one v1 signature matches and the timestamp is within tolerance. */
export function verify(options: {
  header: string | null | undefined
  secret: string
  rawBody: string
  toleranceSeconds?: number
  now?: number
}): boolean {
  const parsed = parse(options.header)
  if (!parsed) return false
  const now = options.now ?? Math.floor(Date.now() / 1000)
  if (Math.abs(now - parsed.timestamp) > (options.toleranceSeconds ?? defaultToleranceSeconds)) return false
  const expected = Buffer.from(compute(options.secret, parsed.timestamp, options.rawBody), 'hex')
  return parsed.signatures.some((candidate) => {
    const given = Buffer.from(candidate, 'hex')
    return given.length === expected.length && timingSafeEqual(given, expected)
  })
}

export function parse(value: string | null | undefined): { timestamp: number; signatures: string[] } | null {
  if (!value || value.length > 1000) return null
  let timestamp: number | null = null
  const signatures: string[] = []
  for (const part of value.split(',')) {
    const [key, item] = part.trim().split('=', 2)
    if (key === 't' && item && /^[0-9]{1,12}$/.test(item)) timestamp = Number(item)
    else if (key === 'v1' && item && /^[0-9a-f]{64}$/.test(item)) signatures.push(item)
  }
  return timestamp === null || signatures.length === 0 ? null : { timestamp, signatures }
}
