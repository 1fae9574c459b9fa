// Typed reads of form parameters with Stripe's error messages for missing, unknown and invalid ones.
import * as ApiError from './ApiError'
import type { FormObject, FormValue } from './Form'

export function rejectUnknown(params: FormObject, allowed: readonly string[]): void {
  for (const name of Object.keys(params)) if (!allowed.includes(name)) throw ApiError.unknownParameter(name)
}

export function optionalString(params: FormObject, name: string): string | undefined {
  const value = params[name]
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw ApiError.invalidRequest(`Invalid string: ${name}`, { param: name, code: 'parameter_invalid_string' })
  return value
}

export function requiredString(params: FormObject, name: string): string {
  const value = optionalString(params, name)
  if (value === undefined || value === '') throw ApiError.missingParameter(name)
  return value
}

export function optionalInteger(params: FormObject, name: string): number | undefined {
  const value = optionalString(params, name)
  if (value === undefined) return undefined
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw ApiError.invalidRequest(`Invalid integer: ${value}`, { param: name, code: 'parameter_invalid_integer' })
  }
  return Number(value)
}

export function requiredInteger(params: FormObject, name: string): number {
  const value = optionalInteger(params, name)
  if (value === undefined) throw ApiError.missingParameter(name)
  return value
}

export function optionalBoolean(params: FormObject, name: string): boolean | undefined {
  const value = optionalString(params, name)
  if (value === undefined) return undefined
  if (value !== 'true' && value !== 'false') throw ApiError.invalidRequest(`Invalid boolean: ${value}`, { param: name })
  return value === 'true'
}

export function optionalObject(params: FormObject, name: string): FormObject | undefined {
  const value = params[name]
  if (value === undefined || value === '') return undefined
  if (typeof value !== 'object' || Array.isArray(value)) throw ApiError.invalidRequest(`Invalid object`, { param: name })
  return value
}

export function optionalStringArray(params: FormObject, name: string): string[] | undefined {
  const value: FormValue | undefined = params[name]
  if (value === undefined) return undefined
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw ApiError.invalidRequest(`Invalid array`, { param: name })
  }
  return value
}

/** Stripe metadata: string values, keys up to 40 characters, values up to 500, at most 50 keys. */
export function metadata(params: FormObject, name = 'metadata'): Record<string, string> | undefined {
  const value = optionalObject(params, name)
  if (value === undefined) return params[name] === '' ? {} : undefined
  const entries = Object.entries(value)
  if (entries.length > 50) throw ApiError.invalidRequest('Metadata can have up to 50 keys.', { param: name })
  const out: Record<string, string> = {}
  for (const [key, item] of entries) {
    if (typeof item !== 'string') throw ApiError.invalidRequest(`Invalid metadata value for ${key}`, { param: `${name}[${key}]` })
    if (key.length > 40) throw ApiError.invalidRequest(`Metadata keys can be at most 40 characters long.`, { param: `${name}[${key}]` })
    if (item.length > 500) throw ApiError.invalidRequest(`Metadata values can have up to 500 characters.`, { param: `${name}[${key}]` })
    out[key] = item
  }
  return out
}
