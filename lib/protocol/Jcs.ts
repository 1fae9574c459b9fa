// JSON Canonicalization Scheme (RFC 8785): the one byte-exact JSON text for a value, so that
// `request`/`opaque` encode identically everywhere and HMAC challenge ids are reproducible.
import { loneSurrogate } from './internal/Grammar'

/** Thrown for values that have no I-JSON form: non-finite numbers, lone surrogates, bigint, cycles. */
export class CanonicalizationError extends Error {
  override name = 'CanonicalizationError'
}

/** Returns the RFC 8785 canonical JSON text of `value`. Object members whose value is undefined are dropped. */
export function canonicalize(value: unknown): string {
  return serializeValue(value, new Set())
}

function serializeValue(value: unknown, ancestors: Set<object>): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      // ECMAScript Number-to-String is exactly the RFC 8785 number format (and prints -0 as "0").
      if (!Number.isFinite(value)) throw new CanonicalizationError(`${value} has no JSON representation`)
      return String(value)
    case 'string':
      return serializeString(value)
    case 'object':
      return serializeObject(value, ancestors)
    default:
      throw new CanonicalizationError(`a ${typeof value} has no JSON representation`)
  }
}

function serializeString(value: string): string {
  if (loneSurrogate.test(value)) throw new CanonicalizationError('string contains a lone surrogate')
  // JSON.stringify escapes exactly as RFC 8785 §3.2.2.2 requires.
  return JSON.stringify(value)
}

function serializeObject(value: object, ancestors: Set<object>): string {
  const withJson = value as { toJSON?: unknown }
  if (typeof withJson.toJSON === 'function') return serializeValue((withJson.toJSON as () => unknown).call(value), ancestors)
  if (ancestors.has(value)) throw new CanonicalizationError('value contains a cycle')
  ancestors.add(value)
  try {
    if (Array.isArray(value)) {
      // Like JSON.stringify, array holes and undefined become null.
      const items: string[] = []
      for (let i = 0; i < value.length; i++) items.push(value[i] === undefined ? 'null' : serializeValue(value[i], ancestors))
      return `[${items.join(',')}]`
    }
    const record = value as Record<string, unknown>
    // Default string sort compares UTF-16 code units, which is the RFC 8785 member order.
    const keys = Object.keys(record).sort()
    const members: string[] = []
    for (const key of keys) {
      const member = record[key]
      if (member === undefined) continue
      members.push(`${serializeString(key)}:${serializeValue(member, ancestors)}`)
    }
    return `{${members.join(',')}}`
  } finally {
    ancestors.delete(value)
  }
}
