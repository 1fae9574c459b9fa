// The dashboard's text form of a service link's pricing: one rule per line, `METHOD PATH PRICE [SETTLE]`,
// and one JSON-RPC price per line, `METHOD_NAME PRICE` (`* PRICE` for every other method); `#` starts a
// comment. Lines become the JSON the API takes, and the API's issues map back to the line they came from.
// Browser-safe.
import type { JsonRpcPricing, PriceRule } from './price-rules'

export type LineIssue = { line: number; message: string }

export type ParsedRuleLines = {
  /** The rules as the API takes them (validated by parseServicePricing, not here). */
  rules: Array<{ method: string; path: string; price: string; settle?: string }>
  /** The 1-based line of each rule. */
  lineOf: number[]
  issues: LineIssue[]
}

export function parseRuleLines(text: string): ParsedRuleLines {
  const parsed: ParsedRuleLines = { rules: [], lineOf: [], issues: [] }
  forEachLine(text, (tokens, line) => {
    if (tokens.length < 3 || tokens.length > 4) {
      parsed.issues.push({
        line,
        message: `line ${line}: write METHOD PATH PRICE, then optionally after-success (e.g. POST /v1/chat/completions 0.02)`,
      })
      return
    }
    const [method, path, price, settle] = tokens as [string, string, string, string?]
    parsed.rules.push({ method, path, price: stripDollar(price), ...(settle ? { settle } : {}) })
    parsed.lineOf.push(line)
  })
  return parsed
}

export type ParsedJsonRpcLines = {
  /** null when no line prices a JSON-RPC method (JSON-RPC pricing off). */
  jsonRpc: { methods: Record<string, string>; default?: string } | null
  /** The 1-based line of each method's price ('*' for the default). */
  lineOf: Map<string, number>
  issues: LineIssue[]
}

export function parseJsonRpcLines(text: string): ParsedJsonRpcLines {
  const methods: Array<[string, string]> = []
  const lineOf = new Map<string, number>()
  const issues: LineIssue[] = []
  let fallback: string | undefined
  forEachLine(text, (tokens, line) => {
    if (tokens.length !== 2) {
      issues.push({
        line,
        message: `line ${line}: write a method name and its price (e.g. eth_call 0.0001), or * and the price of every other method`,
      })
      return
    }
    const [name, price] = tokens as [string, string]
    const earlier = lineOf.get(name)
    if (earlier !== undefined) {
      issues.push({ line, message: `line ${line}: ${name === '*' ? 'the default' : name} is already priced on line ${earlier}` })
      return
    }
    lineOf.set(name, line)
    if (name === '*') fallback = stripDollar(price)
    else methods.push([name, stripDollar(price)])
  })
  const jsonRpc =
    methods.length > 0 || fallback !== undefined
      ? { methods: Object.fromEntries(methods), ...(fallback !== undefined ? { default: fallback } : {}) }
      : null
  return { jsonRpc, lineOf, issues }
}

/** Rules as lines, aligned in columns. */
export function formatRuleLines(rules: readonly PriceRule[]): string {
  const width = (pick: (rule: PriceRule) => string) => Math.max(0, ...rules.map((rule) => pick(rule).length))
  const methodWidth = width((rule) => rule.method)
  const pathWidth = width((rule) => rule.path)
  const priceWidth = width((rule) => rule.price)
  return rules
    .map((rule) =>
      [
        rule.method.padEnd(methodWidth),
        rule.path.padEnd(pathWidth),
        rule.settle ? rule.price.padEnd(priceWidth) : rule.price,
        rule.settle ?? '',
      ]
        .join(' ')
        .trimEnd(),
    )
    .join('\n')
}

export function formatJsonRpcLines(jsonRpc: JsonRpcPricing | null): string {
  if (!jsonRpc) return ''
  const lines = Object.entries(jsonRpc.methods)
  if (jsonRpc.default !== undefined) lines.push(['*', jsonRpc.default])
  const width = Math.max(0, ...lines.map(([name]) => name.length))
  return lines.map(([name, price]) => `${name.padEnd(width)} ${price}`).join('\n')
}

/**
 * The line an API issue (path `rules.N…`, `jsonRpc.methods.NAME`, `jsonRpc.default`, relative to the
 * pricing) belongs to: which box and which line, or null when it is about the pricing as a whole.
 */
export function lineOfIssue(
  path: ReadonlyArray<string | number>,
  rules: Pick<ParsedRuleLines, 'lineOf'>,
  jsonRpc: Pick<ParsedJsonRpcLines, 'lineOf'>,
): { box: 'rules' | 'jsonRpc'; line: number } | null {
  const [section, index, key] = path
  if (section === 'rules' && index !== undefined) {
    const line = rules.lineOf[Number(index)]
    return line === undefined ? null : { box: 'rules', line }
  }
  if (section === 'jsonRpc') {
    const name = index === 'default' ? '*' : index === 'methods' ? String(key) : undefined
    const line = name === undefined ? undefined : jsonRpc.lineOf.get(name)
    return line === undefined ? null : { box: 'jsonRpc', line }
  }
  return null
}

function forEachLine(text: string, visit: (tokens: string[], line: number) => void): void {
  text.split(/\r?\n/).forEach((raw, index) => {
    const content = raw.split('#')[0]!.trim()
    if (content) visit(content.split(/\s+/), index + 1)
  })
}

// "$0.02" reads naturally; the API wants "0.02".
function stripDollar(price: string): string {
  return price.startsWith('$') ? price.slice(1) : price
}
