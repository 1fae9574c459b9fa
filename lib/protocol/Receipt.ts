// `Payment-Receipt: <base64url(JSON {status:"success", method, timestamp, reference, ...method fields})>`.
// Browser-safe. Method specs may add fields (evm: chainId, challengeId, ...); they are kept as-is.
import { z } from 'zod'
import * as Base64Url from './Base64Url'
import * as Jcs from './Jcs'
import { base64urlNopad, isPlainObject, methodId } from './internal/Grammar'
import { isDateTime } from './internal/Rfc3339'

export type Receipt = {
  status: 'success'
  method: string
  /** RFC 3339 settlement time. */
  timestamp: string
  /** Method-specific reference: a transaction hash, a PaymentIntent id, ... */
  reference: string
  [field: string]: unknown
}

export const headerName = 'Payment-Receipt'
export const maxLength = 16 * 1024

/** Thrown by `deserialize` for a header value that is not a valid receipt. */
export class MalformedReceiptError extends Error {
  override name = 'MalformedReceiptError'
}

/** Thrown by `from`/`serialize` for fields that cannot form a receipt (a programming error). */
export class InvalidReceiptFieldsError extends Error {
  override name = 'InvalidReceiptFieldsError'
}

const schema = z.looseObject({
  status: z.literal('success'),
  method: z.string().regex(methodId),
  timestamp: z.string().refine(isDateTime, 'timestamp must be an RFC 3339 date-time'),
  reference: z.string(),
})

export type FromParameters = { method: string; reference: string; timestamp: string | Date; [field: string]: unknown }

/** Builds a receipt; a Date timestamp is written as ISO 8601 UTC. */
export function from(parameters: FromParameters): Receipt {
  const timestamp = parameters.timestamp instanceof Date ? parameters.timestamp.toISOString() : parameters.timestamp
  const receipt = { ...parameters, status: 'success', timestamp }
  const parsed = schema.safeParse(receipt)
  if (!parsed.success) throw new InvalidReceiptFieldsError(parsed.error.issues[0]?.message ?? 'invalid receipt')
  return receipt as Receipt
}

/** The header value: base64url (no padding) of the receipt's canonical JSON. */
export function serialize(receipt: Receipt): string {
  const parsed = schema.safeParse(receipt)
  if (!parsed.success) throw new InvalidReceiptFieldsError(parsed.error.issues[0]?.message ?? 'invalid receipt')
  try {
    return Base64Url.encode(Jcs.canonicalize(receipt))
  } catch (cause) {
    throw new InvalidReceiptFieldsError('receipt has no canonical JSON form', { cause })
  }
}

export function deserialize(value: string): Receipt {
  if (typeof value !== 'string') throw new MalformedReceiptError('receipt must be a string')
  const token = value.trim()
  if (token.length > maxLength) throw new MalformedReceiptError('receipt is too large')
  if (!base64urlNopad.test(token)) throw new MalformedReceiptError('receipt is not base64url without padding')
  let json: unknown
  try {
    json = Base64Url.decodeJson(token)
  } catch {
    throw new MalformedReceiptError('receipt is not base64url-encoded JSON')
  }
  return fromJSON(json)
}

/** Validates a receipt that arrived already decoded (e.g. an SSE `payment-receipt` event's JSON). */
export function fromJSON(json: unknown): Receipt {
  if (!isPlainObject(json)) throw new MalformedReceiptError('receipt is not a JSON object')
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new MalformedReceiptError(`receipt ${issue?.path.join('.') || ''}: ${issue?.message ?? 'invalid'}`)
  }
  // Return the decoded object itself: looseObject would copy keys like "__proto__" through assignment.
  return json as Receipt
}
