// Stripe's idempotency keys: the first result of a POST is saved per account and key; the same key
// with the same endpoint and parameters replays it (`Idempotent-Replayed: true`), anything else is a 400.
import type { Account, IdempotentResult } from './Account'
import * as ApiError from './ApiError'
import type { FormValue } from './Form'

export function fingerprint(params: FormValue): string {
  return JSON.stringify(sortKeys(params))
}

/** The saved result to replay, or undefined when this key is new; throws on a mismatched reuse. */
export function lookup(account: Account, key: string, method: string, path: string, print: string): IdempotentResult | undefined {
  const saved = account.idempotency.get(key)
  if (!saved) return undefined
  if (saved.method !== method || saved.path !== path)
    throw ApiError.idempotencyEndpointMismatch(key, `${saved.method} ${saved.path}`, `${method} ${path}`)
  if (saved.fingerprint !== print) throw ApiError.idempotencyMismatch(key)
  return saved
}

export function save(account: Account, key: string, result: IdempotentResult): void {
  account.idempotency.set(key, result)
}

function sortKeys(value: FormValue): FormValue {
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return value.map(sortKeys)
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(value[key] as FormValue)]),
  )
}
