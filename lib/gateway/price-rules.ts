// What a service link charges for each request: ordered route rules on method + path pattern, an
// optional JSON-RPC price table for POST bodies, and the link's own price for everything else.
// Pure and browser-safe (and free of zod, so the dashboard's bundle stays small: the zod schema is
// ./price-rules-schema.ts): the gate prices requests with it and the dashboard previews prices with it.
// Money is exact decimal (lib/money), never a float. The rules are in docs/gateway.md.
import * as Money from '@/lib/money'
import { readJsonRpcCalls } from './internal/json-rpc-calls'
import {
  canonicalPath,
  matchesPath,
  openApiPath,
  parsePathPattern,
  patternCovers,
  pathPatternIssue,
  type PathPattern,
} from './path-pattern'

export const httpMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const
export type HttpMethod = (typeof httpMethods)[number]
export const settleModes = ['before', 'after-success'] as const
/** When money moves: before the upstream is called (default), or only after it answered successfully. */
export type Settle = (typeof settleModes)[number]
export type Price = Money.Usd | 'free'

export type PriceRule = { method: HttpMethod | '*'; path: string; price: Price; settle?: Settle }
export type JsonRpcPricing = { methods: Record<string, Price>; default?: Price; settle?: Settle }
/** A service link's pricing as stored with the link; the link's price is the default. */
export type ServicePricing = { rules: PriceRule[]; jsonRpc: JsonRpcPricing | null; settle: Settle }
/** Everything priceRequest reads: the stored pricing and the link's default price. */
export type PriceTable = ServicePricing & { defaultPrice: Price }

export const maxRules = 100
export const maxJsonRpcMethods = 200
export const maxBatchCalls = 1000
/** JSON-RPC method names a table may price (eth_call, getAccountInfo, rpc.discover, bdev_get_bdevs…). */
export const jsonRpcMethodPattern = /^[A-Za-z0-9_.:/-]{1,128}$/

export type PriceRequestInput = {
  method: string
  /** The path below the link, as received (still percent-encoded): '' or '/v1/chat/completions'. */
  path: string
  body?: Uint8Array | null
  contentType?: string | null
}

export type PriceDecision =
  | { kind: 'free' }
  | { kind: 'priced'; priceUsd: Money.Usd; settle: Settle; label: string }
  | { kind: 'invalid'; status: 400; detail: string }

type Issue = { path: Array<string | number>; message: string }
export type ParsedPricing = { ok: true; pricing: ServicePricing } | { ok: false; issues: Issue[] }

/** Validates untrusted pricing input; every issue names the rule or method and what to change. */
export function parseServicePricing(input: unknown): ParsedPricing {
  const issues: Issue[] = []
  const add = (path: Array<string | number>, message: string) => issues.push({ path, message })
  if (!isPlainObject(input)) return { ok: false, issues: [{ path: [], message: 'pricing must be an object with rules' }] }
  for (const key of Object.keys(input))
    if (!['rules', 'jsonRpc', 'settle'].includes(key)) add([key], `unknown pricing field "${clip(key)}" (expected rules, jsonRpc, settle)`)

  const settle = parseSettle(input.settle ?? 'before')
  if (settle === null) add(['settle'], 'settle must be "before" or "after-success"')

  const rules: PriceRule[] = []
  const patterns: PathPattern[] = []
  const rawRules = input.rules ?? []
  if (!Array.isArray(rawRules)) add(['rules'], 'rules must be a list')
  else if (rawRules.length > maxRules) add(['rules'], `at most ${maxRules} rules; merge rules with * or /** patterns`)
  else
    rawRules.forEach((raw, index) => {
      const rule = parseRule(raw, index, (path, message) => add(['rules', index, ...path], message))
      if (!rule) return
      const pattern = parsePathPattern(rule.path)
      const earlier = rules.findIndex((other, i) => methodCovers(other.method, rule.method) && patternCovers(patterns[i]!, pattern))
      if (earlier !== -1)
        add(
          ['rules', index],
          `${describeRule(index, rule)} never applies: rule ${earlier + 1} (${rules[earlier]!.method} ${rules[earlier]!.path}) matches every request it would; move it above or remove it`,
        )
      rules.push(rule)
      patterns.push(pattern)
    })

  let jsonRpc: JsonRpcPricing | null = null
  if (input.jsonRpc !== undefined && input.jsonRpc !== null) {
    jsonRpc = parseJsonRpc(input.jsonRpc, (path, message) => add(['jsonRpc', ...path], message))
    const everyPost = parsePathPattern('/**')
    const shadow = rules.findIndex((rule, i) => methodCovers(rule.method, 'POST') && patternCovers(patterns[i]!, everyPost))
    if (jsonRpc && shadow !== -1)
      add(
        ['jsonRpc'],
        `JSON-RPC prices never apply: ${describeRule(shadow, rules[shadow]!)} prices every POST request first (rules are checked before the JSON-RPC table)`,
      )
  }
  if (issues.length > 0 || settle === null) return { ok: false, issues }
  return { ok: true, pricing: { rules, jsonRpc, settle } }
}

/** "free", or a decimal USD price such as "0.02"; null and a message when it is neither. */
export function parsePrice(value: unknown): { ok: true; price: Price } | { ok: false; message: string } {
  if (value === 'free') return { ok: true, price: 'free' }
  if (typeof value === 'number') return { ok: false, message: `price must be a string such as "${value}" (quoted) or "free"` }
  try {
    return { ok: true, price: Money.parseUsd(value) }
  } catch (error) {
    const message = error instanceof Money.InvalidUsdError ? error.message : 'invalid price'
    return { ok: false, message: `${message}, or "free"` }
  }
}

/** What one request costs under the table: free, a price with its settle mode and a label, or a 400. */
export function priceRequest(table: PriceTable, request: PriceRequestInput): PriceDecision {
  const method = request.method
  if (!isHttpMethod(method)) return invalid(`${clip(method)} requests are not forwarded; use GET, HEAD, POST, PUT, PATCH or DELETE.`)
  const path = canonicalPath(request.path)
  if (!path.ok) return invalid(path.detail)
  for (const rule of table.rules) {
    if (!methodCovers(rule.method, method) || !matchesPath(cachedPattern(rule.path), path.path)) continue
    if (rule.price === 'free') return { kind: 'free' }
    return { kind: 'priced', priceUsd: rule.price, settle: rule.settle ?? table.settle, label: `${method} ${rule.path}` }
  }
  if (table.jsonRpc && method === 'POST') return priceJsonRpc(table, table.jsonRpc, request)
  if (table.defaultPrice === 'free') return { kind: 'free' }
  return { kind: 'priced', priceUsd: table.defaultPrice, settle: table.settle, label: `${method} (default price)` }
}

export type PricedOperation = {
  method: HttpMethod | '*'
  /** The rule's pattern, e.g. /v1/models/*. */
  path: string
  /** The same as an OpenAPI path template (`*` -> {segmentN}, `**` -> {path}); discovery can only approximate patterns. */
  openApiPath: string
  openApiMethods: Array<Lowercase<HttpMethod>>
  price: Price
  /** null for free routes: nothing settles. */
  settle: Settle | null
  summary: string
}

export type PricedOperations = {
  /** In rule order: the first rule that matches a request sets its price. */
  operations: PricedOperation[]
  jsonRpc: { methods: Array<{ name: string; price: Price }>; defaultPrice: Price; settle: Settle } | null
  /** What every other request costs. */
  defaultPrice: Price
  settle: Settle
}

/** Every rule as an operation with its price, for the discovery document (and the dashboard). */
export function listPricedOperations(table: PriceTable): PricedOperations {
  const all = httpMethods.map((m) => m.toLowerCase() as Lowercase<HttpMethod>)
  return {
    operations: table.rules.map((rule) => ({
      method: rule.method,
      path: rule.path,
      openApiPath: openApiPath(cachedPattern(rule.path)),
      openApiMethods: rule.method === '*' ? all : [rule.method.toLowerCase() as Lowercase<HttpMethod>],
      price: rule.price,
      settle: rule.price === 'free' ? null : (rule.settle ?? table.settle),
      summary: `${rule.method === '*' ? 'Any method' : rule.method} ${rule.path}: ${rule.price === 'free' ? 'free' : `$${rule.price}`}`,
    })),
    jsonRpc: table.jsonRpc
      ? {
          methods: Object.entries(table.jsonRpc.methods).map(([name, price]) => ({ name, price })),
          defaultPrice: table.jsonRpc.default ?? table.defaultPrice,
          settle: table.jsonRpc.settle ?? table.settle,
        }
      : null,
    defaultPrice: table.defaultPrice,
    settle: table.settle,
  }
}

export function isHttpMethod(value: unknown): value is HttpMethod {
  return typeof value === 'string' && (httpMethods as readonly string[]).includes(value)
}

/** A rule for `ruleMethod` applies to `method`; a GET rule also prices HEAD (the same resource, asked for its headers). */
export function methodCovers(ruleMethod: HttpMethod | '*', method: HttpMethod | '*'): boolean {
  return ruleMethod === '*' || ruleMethod === method || (ruleMethod === 'GET' && method === 'HEAD')
}

// JSON-RPC over HTTP is sent as one of these (the 2008 JSON-RPC over HTTP draft's three, and +json).
const jsonRpcContentTypes = new Set(['application/json', 'application/json-rpc', 'application/jsonrequest'])

function priceJsonRpc(table: PriceTable, jsonRpc: JsonRpcPricing, request: PriceRequestInput): PriceDecision {
  const essence = request.contentType?.split(';')[0]!.trim().toLowerCase()
  if (essence && !jsonRpcContentTypes.has(essence) && !/^application\/[a-z0-9.+-]+\+json$/.test(essence))
    return invalid('JSON-RPC calls must be sent with Content-Type: application/json.')
  const calls = readJsonRpcCalls(request.body, maxBatchCalls)
  if (!calls.ok) return invalid(calls.detail)
  let total = 0n
  const counts = new Map<string, number>()
  for (const name of calls.methods) {
    const price = Object.hasOwn(jsonRpc.methods, name) ? jsonRpc.methods[name]! : (jsonRpc.default ?? table.defaultPrice)
    if (price !== 'free') total += Money.usdToBaseUnits(price, Money.maxFractionDigits)
    const shown = jsonRpcMethodPattern.test(name) && name.length <= 64 ? name : '(unlisted method)'
    counts.set(shown, (counts.get(shown) ?? 0) + 1)
  }
  if (total === 0n) return { kind: 'free' }
  const priceUsd = fromMicros(total)
  if (!priceUsd) return invalid(`This batch would cost more than the largest payment ($${Money.maxUsd}); send fewer calls at a time.`)
  return { kind: 'priced', priceUsd, settle: jsonRpc.settle ?? table.settle, label: `jsonrpc ${describeCalls(counts)}` }
}

const maxLabelGroups = 6

function describeCalls(counts: Map<string, number>): string {
  const groups = [...counts].map(([name, n]) => (n > 1 ? `${name}×${n}` : name))
  if (groups.length <= maxLabelGroups) return groups.join(' + ')
  return `${groups.slice(0, maxLabelGroups).join(' + ')} + ${groups.length - maxLabelGroups} more methods`
}

function fromMicros(micros: bigint): Money.Usd | null {
  const digits = micros.toString().padStart(Money.maxFractionDigits + 1, '0')
  const text = `${digits.slice(0, -Money.maxFractionDigits)}.${digits.slice(-Money.maxFractionDigits)}`.replace(/\.?0+$/, '')
  return Money.isUsd(text) ? Money.parseUsd(text) : null
}

function parseRule(raw: unknown, index: number, add: (path: Array<string | number>, message: string) => void): PriceRule | null {
  const name = `rule ${index + 1}`
  if (!isPlainObject(raw)) {
    add([], `${name} must be an object with method, path and price`)
    return null
  }
  const label = typeof raw.method === 'string' && typeof raw.path === 'string' ? `${name} (${clip(raw.method)} ${clip(raw.path)})` : name
  let ok = true
  const fail = (path: Array<string | number>, message: string) => {
    add(path, `${label}: ${message}`)
    ok = false
  }
  for (const key of Object.keys(raw))
    if (!['method', 'path', 'price', 'settle'].includes(key))
      fail([key], `unknown field "${clip(key)}" (expected method, path, price, settle)`)
  const method = typeof raw.method === 'string' ? raw.method.trim().toUpperCase() : raw.method
  if (method !== '*' && !isHttpMethod(method)) fail(['method'], 'method must be GET, HEAD, POST, PUT, PATCH, DELETE or * (any)')
  const pathIssue = typeof raw.path === 'string' ? pathPatternIssue(raw.path) : 'path must be a string such as /v1/models/*'
  if (pathIssue) fail(['path'], pathIssue)
  const price = parsePrice(raw.price)
  if (!price.ok) fail(['price'], price.message)
  let settle: Settle | undefined
  if (raw.settle !== undefined && raw.settle !== null) {
    const parsed = parseSettle(raw.settle)
    if (parsed === null) fail(['settle'], 'settle must be "before" or "after-success"')
    else if (price.ok && price.price === 'free') fail(['settle'], 'a free route settles nothing; remove its settle mode')
    else settle = parsed
  }
  if (!ok || !price.ok) return null
  return { method: method as HttpMethod | '*', path: raw.path as string, price: price.price, ...(settle ? { settle } : {}) }
}

function parseJsonRpc(raw: unknown, add: (path: Array<string | number>, message: string) => void): JsonRpcPricing | null {
  if (!isPlainObject(raw)) {
    add([], 'jsonRpc must be an object with methods (and optionally default and settle)')
    return null
  }
  let ok = true
  const fail = (path: Array<string | number>, message: string) => {
    add(path, message)
    ok = false
  }
  for (const key of Object.keys(raw))
    if (!['methods', 'default', 'settle'].includes(key))
      fail([key], `unknown JSON-RPC pricing field "${clip(key)}" (expected methods, default, settle)`)
  const methods: Array<[string, Price]> = []
  const rawMethods = raw.methods ?? {}
  if (!isPlainObject(rawMethods)) fail(['methods'], 'methods must be an object such as {"eth_call": "0.0001"}')
  else {
    const entries = Object.entries(rawMethods)
    if (entries.length > maxJsonRpcMethods) fail(['methods'], `at most ${maxJsonRpcMethods} JSON-RPC methods can be priced`)
    else
      for (const [name, value] of entries) {
        if (!jsonRpcMethodPattern.test(name) || name === '__proto__') {
          fail(['methods', name], `"${clip(name)}" is not a JSON-RPC method name (1 to 128 of letters, digits and _.:/-)`)
          continue
        }
        const price = parsePrice(value)
        if (price.ok) methods.push([name, price.price])
        else fail(['methods', name], `JSON-RPC method ${name}: ${price.message}`)
      }
  }
  let fallback: Price | undefined
  if (raw.default !== undefined && raw.default !== null) {
    const price = parsePrice(raw.default)
    if (price.ok) fallback = price.price
    else fail(['default'], `JSON-RPC default: ${price.message}`)
  }
  let settle: Settle | undefined
  if (raw.settle !== undefined && raw.settle !== null) {
    const parsed = parseSettle(raw.settle)
    if (parsed === null) fail(['settle'], 'JSON-RPC settle must be "before" or "after-success"')
    else settle = parsed
  }
  if (ok && methods.length === 0 && fallback === undefined)
    fail(['methods'], 'price at least one JSON-RPC method, or set a JSON-RPC default price')
  if (!ok) return null
  return { methods: Object.fromEntries(methods), ...(fallback !== undefined ? { default: fallback } : {}), ...(settle ? { settle } : {}) }
}

function parseSettle(value: unknown): Settle | null {
  return typeof value === 'string' && (settleModes as readonly string[]).includes(value) ? (value as Settle) : null
}

function describeRule(index: number, rule: PriceRule): string {
  return `rule ${index + 1} (${rule.method} ${rule.path})`
}

// Stored rules were validated on save; parsed patterns are kept so a request does not re-parse them.
const patternCache = new Map<string, PathPattern>()

function cachedPattern(source: string): PathPattern {
  let pattern = patternCache.get(source)
  if (!pattern) {
    pattern = parsePathPattern(source)
    if (patternCache.size >= 2000) patternCache.clear()
    patternCache.set(source, pattern)
  }
  return pattern
}

function invalid(detail: string): PriceDecision {
  return { kind: 'invalid', status: 400, detail }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

// Echoes of input in messages stay short and on one line.
function clip(value: string): string {
  const line = value.replace(/[\u0000-\u001f\u007f]/g, '?')
  return line.length > 60 ? `${line.slice(0, 57)}…` : line
}
