// Stripe's v1 API takes application/x-www-form-urlencoded bodies with bracket nesting
// (`metadata[link_id]=x`, `payment_method_types[0]=card`); this turns them back into objects.

export type FormValue = string | FormObject | FormValue[]
export type FormObject = { [key: string]: FormValue }

export class FormError extends Error {
  override name = 'FormError'
}

/** Parses a form body or query string into nested objects; `a[0]`/`a[]` become arrays. */
export function parse(body: string): FormObject {
  const root: Building = {}
  if (body.length === 0) return {}
  for (const pair of body.split('&')) {
    if (pair.length === 0) continue
    const separator = pair.indexOf('=')
    const rawKey = separator === -1 ? pair : pair.slice(0, separator)
    const rawValue = separator === -1 ? '' : pair.slice(separator + 1)
    assign(root, splitKey(decode(rawKey)), decode(rawValue))
  }
  return normalizeArrays(root) as FormObject
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component.replace(/\+/g, ' '))
  } catch {
    throw new FormError('Invalid form encoding')
  }
}

// `a[b][0]` -> ['a', 'b', '0']; `a[]` -> ['a', ''].
function splitKey(key: string): string[] {
  const open = key.indexOf('[')
  if (open === -1) return [key]
  const parts = [key.slice(0, open)]
  const rest = key.slice(open)
  const segment = /\[([^\]]*)\]/g
  let consumed = 0
  for (let match = segment.exec(rest); match; match = segment.exec(rest)) {
    if (match.index !== consumed) throw new FormError(`Invalid parameter name: ${key}`)
    parts.push(match[1] ?? '')
    consumed = match.index + match[0].length
  }
  if (consumed !== rest.length || parts[0] === '') throw new FormError(`Invalid parameter name: ${key}`)
  return parts
}

// Arrays are built as objects keyed by index first, then converted once all pairs are in.
const appendMarker = Symbol('append')
type Building = { [key: string]: Building | string; [appendMarker]?: number }

function assign(target: Building, path: string[], value: string): void {
  let node = target
  for (let i = 0; i < path.length - 1; i++) {
    let key = path[i] as string
    if (key === '') key = String(nextAppendIndex(node))
    const next = node[key]
    if (typeof next === 'string') throw new FormError(`Conflicting parameter: ${path.slice(0, i + 1).join('.')}`)
    node = next ?? (node[key] = {})
  }
  let last = path[path.length - 1] as string
  if (last === '') last = String(nextAppendIndex(node))
  if (typeof node[last] === 'object') throw new FormError(`Conflicting parameter: ${path.join('.')}`)
  node[last] = value
}

function nextAppendIndex(node: Building): number {
  const index = node[appendMarker] ?? 0
  node[appendMarker] = index + 1
  return index
}

function normalizeArrays(node: Building | string): FormValue {
  if (typeof node === 'string') return node
  const keys = Object.keys(node)
  const isArray = keys.length > 0 && keys.every((key) => /^(0|[1-9]\d*)$/.test(key))
  if (isArray) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((index) => normalizeArrays(node[String(index)] as Building | string))
  }
  const out: FormObject = {}
  for (const key of keys) out[key] = normalizeArrays(node[key] as Building | string)
  return out
}
