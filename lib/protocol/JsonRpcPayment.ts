// The Payment scheme's generic JSON-RPC binding (mpp-specs draft-payment-transport-mcp-00, "Root-level `_meta`"):
// a plain JSON-RPC request (eth_call, getAccountInfo…) that carries `_meta` asks to be answered in JSON-RPC —
// -32042 with the challenges instead of HTTP 402 — and may hold its credential there (or in `params._meta`).
// This module reads such a request and gives back the text to forward without the payment metadata, every other
// byte as the client sent it (re-serializing would round integers above 2^53). Pure and browser-safe.
import type { Credential } from './Credential'
import * as Jcs from './Jcs'
import { credentialFromMessage, credentialMetaKey } from './Mcp'
import * as Problem from './Problem'
import { isPlainObject } from './internal/Grammar'

export type JsonRpcId = string | number | null

export type PaymentRequest = {
  /** The request's id, echoed in the answer. */
  id: JsonRpcId
  method: string
  /** The request text without the root `_meta` (and without `params._meta` when that held the credential). */
  forwardText: string
  /** JCS({method, params}): the call a challenge binds, whatever the id or the member order of a retry. */
  boundCall: string
  /** The credential the request carries; null when none. */
  credential: Credential | null
  /** A credential that was sent but cannot be read. */
  malformed: Problem.MalformedCredentialError | null
}

/**
 * The payment view of a JSON-RPC request text, or null when the text is not a single request (with an id) that
 * carries `_meta` at its root or a credential in `params._meta`: such a request keeps the HTTP binding (402).
 * Batches and notifications never use this binding: a batch's one payment has no single id to answer, and a
 * notification gets no answer at all.
 */
export function readPaymentRequest(text: string): PaymentRequest | null {
  let message: unknown
  try {
    message = JSON.parse(text)
  } catch {
    return null
  }
  if (!isPlainObject(message) || message.jsonrpc !== '2.0' || typeof message.method !== 'string') return null
  if (!Object.hasOwn(message, 'id') || !isId(message.id)) return null
  const params = message.params
  const nestedCredential = isPlainObject(params) && isPlainObject(params._meta) && Object.hasOwn(params._meta, credentialMetaKey)
  if (!Object.hasOwn(message, '_meta') && !nestedCredential) return null

  let boundCall: string
  try {
    boundCall = Jcs.canonicalize(params === undefined ? { method: message.method } : { method: message.method, params })
  } catch {
    return null
  }
  let credential: Credential | null = null
  let malformed: Problem.MalformedCredentialError | null = null
  try {
    credential = credentialFromMessage(message)
  } catch (error) {
    if (!(error instanceof Problem.MalformedCredentialError)) throw error
    malformed = error
  }
  const forwardText = rewriteObject(text, skipSpace(text, 0), (name, raw) => {
    if (name === '_meta') return null
    if (name === 'params' && nestedCredential) return rewriteObject(raw, 0, (inner) => (inner === '_meta' ? null : undefined))
    return undefined
  })
  return { id: message.id as JsonRpcId, method: message.method, forwardText, boundCall, credential, malformed }
}

function isId(value: unknown): value is JsonRpcId {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))
}

/**
 * The object at `start` of a valid JSON `text` with its members rewritten: `change(name, rawMember)` returns null to
 * drop the member, a new raw value to replace it, undefined to keep it. Kept members are copied byte for byte.
 */
function rewriteObject(text: string, start: number, change: (name: string, rawValue: string) => string | null | undefined): string {
  const members: string[] = []
  let i = skipSpace(text, start + 1)
  while (text[i] !== '}') {
    const nameEnd = stringEnd(text, i)
    const name = JSON.parse(text.slice(i, nameEnd)) as string
    const valueStart = skipSpace(text, skipSpace(text, nameEnd) + 1)
    const valueEnd = valueEndAt(text, valueStart)
    const raw = text.slice(valueStart, valueEnd)
    const replaced = change(name, raw)
    if (replaced !== null) members.push(`${text.slice(i, nameEnd)}:${replaced ?? raw}`)
    i = skipSpace(text, valueEnd)
    if (text[i] === ',') i = skipSpace(text, i + 1)
  }
  return `{${members.join(',')}}`
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++
  return i
}

/** The index after the string literal starting at `i`. */
function stringEnd(text: string, i: number): number {
  let end = i + 1
  while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1
  return end + 1
}

/** The index after the JSON value starting at `i`. */
function valueEndAt(text: string, i: number): number {
  const first = text[i]
  if (first === '"') return stringEnd(text, i)
  if (first === '{' || first === '[') {
    let depth = 0
    for (let j = i; j < text.length; j++) {
      const char = text[j]
      if (char === '"') j = stringEnd(text, j) - 1
      else if (char === '{' || char === '[') depth++
      else if (char === '}' || char === ']') {
        depth--
        if (depth === 0) return j + 1
      }
    }
    return text.length
  }
  let j = i
  while (j < text.length && !',}] \n\r\t'.includes(text[j]!)) j++
  return j
}
