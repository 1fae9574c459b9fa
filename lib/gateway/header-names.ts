// Which header names may cross the gateway toward the upstream, and which a merchant may set as a secret
// or let through: browser-safe, so the dashboard checks names with the server's own rules.

/** Request headers of the payer that reach the upstream, besides any the merchant lists. */
export const forwardedRequestHeaders: readonly string[] = [
  'accept',
  'accept-language',
  'content-type',
  'content-language',
  // The body is forwarded byte for byte, so its encoding still describes it.
  'content-encoding',
  'user-agent',
  'idempotency-key',
  'x-request-id',
  'traceparent',
  'tracestate',
]

// Never sent upstream from the payer's request, whoever lists them: hop-by-hop (RFC 9110 7.6.1), framing,
// the payer's credentials and cookies, payment headers (MPP, x402 v1 and v2), client addresses and proxies.
const neverForwarded = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
  'authorization',
  'cookie',
  'cookie2',
  'forwarded',
  'via',
  'x-real-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'x-client-ip',
  'accept-payment',
  'accept-encoding',
])
const neverForwardedPrefixes = ['proxy-', 'payment-', 'x-payment', 'x-forwarded-', 'x-tollgate-', 'sec-']

// A merchant's secret header cannot replace what frames or routes the request.
const notSecretHeaders = new Set([
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'expect',
])

const tokenPattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/
const headerValuePattern = /^[\t\x20-\x7e]*$/

/** Why `name` cannot be the merchant's secret header, or null. */
export function secretHeaderNameIssue(name: string): string | null {
  if (!tokenPattern.test(name))
    return "the header name must be 1 to 64 letters, digits or -_.!#$%&'*+^`|~ (for example Authorization or X-Api-Key)"
  const lower = name.toLowerCase()
  if (notSecretHeaders.has(lower) || lower.startsWith('proxy-')) return `${name} frames or routes the request; Tollgate sets it itself`
  return null
}

/** Why the value cannot be sent in a header (line breaks, NUL, other control characters, too long), or null. */
export function secretHeaderValueIssue(value: string): string | null {
  if (value.trim() === '') return 'the secret value is empty'
  if (value.length > 4096) return 'the secret value can be at most 4096 characters'
  if (!headerValuePattern.test(value)) return 'the secret value must be one line of printable ASCII'
  return null
}

/** Why the merchant cannot ask for `name` to be forwarded from payers, or null. */
export function forwardedHeaderIssue(name: string): string | null {
  if (!tokenPattern.test(name)) return `"${name.slice(0, 64)}" is not a header name`
  const lower = name.toLowerCase()
  if (neverForwarded.has(lower) || neverForwardedPrefixes.some((prefix) => lower.startsWith(prefix)))
    return `${name} is never forwarded: it is hop-by-hop, a credential, a payment header or a client address`
  return null
}
