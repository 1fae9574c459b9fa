// The link editor's draft of a service link (the paid API gateway): what the form holds, the API input it
// becomes, the issues of each rule line (with the server's own validation, run here), and the price
// preview. Pure, so it is tested without a browser.
import { parsePrice, parseServicePricing, priceRequest, type HttpMethod, type PriceTable, type Settle } from '@/lib/gateway/price-rules'
import {
  formatJsonRpcLines,
  formatRuleLines,
  lineOfIssue,
  parseJsonRpcLines,
  parseRuleLines,
  type LineIssue,
} from '@/lib/gateway/rule-lines'
import type { ServiceResource } from '@/lib/store/schema'
import { usd } from './format'

export type ServiceDraft = {
  upstreamUrl: string
  rulesText: string
  jsonRpcText: string
  settle: Settle
  /** Kept as it was: the editor has no field for the JSON-RPC table's own settle mode. */
  jsonRpcSettle?: Settle
  timeoutSeconds: string
  forwardHeadersText: string
  secretName: string
  /** A new value; empty keeps the stored one. Never filled from the server. */
  secretValue: string
  removeSecret: boolean
}

export const exampleRules = `# METHOD PATH PRICE [after-success]   first match wins
POST /v1/chat/completions 0.02 after-success
GET  /v1/models           free`

export function initialServiceDraft(resource: ServiceResource | null): ServiceDraft {
  return {
    upstreamUrl: resource?.upstreamUrl ?? '',
    rulesText: resource ? formatRuleLines(resource.pricing.rules) : exampleRules,
    jsonRpcText: resource ? formatJsonRpcLines(resource.pricing.jsonRpc) : '',
    settle: resource?.pricing.settle ?? 'before',
    ...(resource?.pricing.jsonRpc?.settle ? { jsonRpcSettle: resource.pricing.jsonRpc.settle } : {}),
    timeoutSeconds: String(resource?.timeoutSeconds ?? 30),
    forwardHeadersText: resource?.forwardHeaders.join(', ') ?? '',
    secretName: resource?.secretHeader?.name ?? 'Authorization',
    secretValue: '',
    removeSecret: false,
  }
}

export type DraftCheck = {
  /** The `resource` the dashboard API takes. */
  resource: Record<string, unknown>
  /** Issues to show under the rules box and the JSON-RPC box, by line. */
  ruleIssues: LineIssue[]
  jsonRpcIssues: LineIssue[]
  /** Issues of the pricing as a whole (not of one line). */
  pricingIssues: string[]
  /** The pricing, when every line is valid: what the preview prices against. */
  table: Omit<PriceTable, 'defaultPrice'> | null
}

/**
 * The API input of the draft, and every issue the server would find in its pricing, placed on its line;
 * `serverIssues` (from the last save) add what only the server knows, such as card prices in whole cents.
 */
export function checkServiceDraft(
  draft: ServiceDraft,
  storedSecret: ServiceResource['secretHeader'],
  serverIssues: ReadonlyArray<{ path: string; message: string }> = [],
): DraftCheck {
  const rules = parseRuleLines(draft.rulesText)
  const rpc = parseJsonRpcLines(draft.jsonRpcText)
  const pricing = {
    rules: rules.rules,
    jsonRpc: rpc.jsonRpc && draft.jsonRpcSettle ? { ...rpc.jsonRpc, settle: draft.jsonRpcSettle } : rpc.jsonRpc,
    settle: draft.settle,
  }
  const ruleIssues = [...rules.issues]
  const jsonRpcIssues = [...rpc.issues]
  const pricingIssues: string[] = []
  const parsed = parseServicePricing(pricing)
  const place = (path: ReadonlyArray<string | number>, message: string) => {
    const at = lineOfIssue(path, rules, rpc)
    const text = at ? `line ${at.line}: ${message}` : message
    const list = !at ? null : at.box === 'rules' ? ruleIssues : jsonRpcIssues
    if (list ? list.some((i) => i.message === text) : pricingIssues.includes(text)) return
    if (list && at) list.push({ line: at.line, message: text })
    else pricingIssues.push(text)
  }
  if (!parsed.ok) for (const issue of parsed.issues) place(issue.path, issue.message)
  for (const issue of serverIssues) if (issue.path.startsWith('resource.pricing.')) place(issue.path.split('.').slice(2), issue.message)
  const byLine = (a: LineIssue, b: LineIssue) => a.line - b.line
  const name = draft.secretName.trim()
  const secretHeader = draft.removeSecret
    ? null
    : draft.secretValue.trim()
      ? { name, value: draft.secretValue.trim() }
      : storedSecret
        ? { name }
        : null
  return {
    resource: {
      kind: 'service',
      upstreamUrl: draft.upstreamUrl.trim(),
      pricing,
      timeoutSeconds: Number(draft.timeoutSeconds),
      forwardHeaders: draft.forwardHeadersText.split(/[\s,]+/).filter(Boolean),
      secretHeader,
    },
    ruleIssues: ruleIssues.sort(byLine),
    jsonRpcIssues: jsonRpcIssues.sort(byLine),
    pricingIssues,
    table: parsed.ok && rules.issues.length === 0 && rpc.issues.length === 0 ? parsed.pricing : null,
  }
}

export type PreviewRequest = { method: HttpMethod; path: string; body: string }

/** One sentence: what the request would cost under the draft, or why it cannot be said yet. */
export function previewPrice(table: DraftCheck['table'], linkPrice: string, request: PreviewRequest): string {
  if (!table) return 'Fix the pricing lines above to preview a price.'
  const defaultPrice = parsePrice(linkPrice.trim())
  if (!defaultPrice.ok) return 'Enter the link’s price above (what unmatched requests cost) to preview a price.'
  const decision = priceRequest(
    { ...table, defaultPrice: defaultPrice.price },
    { method: request.method, path: request.path.trim(), body: new TextEncoder().encode(request.body), contentType: 'application/json' },
  )
  if (decision.kind === 'free') return 'Free: passes to the API without a payment.'
  if (decision.kind === 'invalid') return `Refused with 400: ${decision.detail}`
  const when = decision.settle === 'after-success' ? 'charged only after a successful answer' : 'charged before the call'
  return `${usd(decision.priceUsd)} (${decision.label}), ${when}.`
}
