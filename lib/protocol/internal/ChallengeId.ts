// The recommended HMAC-SHA256 challenge binding (draft-httpauth-payment §"Challenge Binding").
// Slots: realm|method|intent|request|expires|digest|opaque, absent optional slots empty. When the
// challenge carries `header`, that slot sits immediately before the final opaque slot — the layout of
// mpp-specs PR #362, mppx and mpp-rs (the first -01 text appended it after opaque; #362 fixed that).
import * as Base64Url from '../Base64Url'
import * as EncodedJson from './EncodedJson'
import { hmacSha256 } from './Hmac'

export type BindingFields = {
  realm: string
  method: string
  intent: string
  request: Record<string, unknown>
  expires?: string
  digest?: string
  opaque?: Record<string, string>
  header?: string
}

/** The exact string that is HMAC'd. `description` and `id` are deliberately not bound. */
export function input(fields: BindingFields): string {
  const slots = [fields.realm, fields.method, fields.intent, EncodedJson.encode(fields.request), fields.expires ?? '', fields.digest ?? '']
  if (fields.header !== undefined) slots.push(fields.header)
  slots.push(fields.opaque === undefined ? '' : EncodedJson.encode(fields.opaque))
  return slots.join('|')
}

export function computeBytes(secret: string | Uint8Array, fields: BindingFields): Uint8Array {
  const encoder = new TextEncoder()
  const key = typeof secret === 'string' ? encoder.encode(secret) : secret
  return hmacSha256(key, encoder.encode(input(fields)))
}

/** base64url(HMAC-SHA256(secret, input(fields))) without padding. */
export function compute(secret: string | Uint8Array, fields: BindingFields): string {
  return Base64Url.encode(computeBytes(secret, fields))
}
