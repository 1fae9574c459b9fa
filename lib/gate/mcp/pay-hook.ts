// The gate's pay hook for /mcp (lib/mcp's createMcpHandler): one payable MCP operation -> the core's decision ->
// the JSON-RPC answer. Which resource an operation sells is the offer's business (tools.ts, link-tools.ts); the
// decision is the same one HTTP requests get: same challenges, checks, claims, sales caps, payments and webhooks.
import { isFailedResult, type OperationResult, type PayHook, type PayInput } from '@/lib/mcp/registry'
import * as Mcp from '@/lib/protocol/Mcp'
import { decide, type DecideOptions } from '../core/decide'
import type { Deliver, Gate, PricedResource } from '../types'
import { decisionInput, operationBody } from './operation-input'
import { failedResult, paidButFailed, respond } from './respond'

/** What one payable tool (resource, prompt) sells, and whether it is closed to new buyers. */
export type McpSale = { resource: PricedResource; closed?: DecideOptions['closed'] }

const sales = new WeakMap<object, McpSale>()

/** Registers what `offer` (a PaidTool, PaidResource or PaidPrompt object) sells; the hook finds it by that object. */
export function sells<Offer extends object>(offer: Offer, sale: McpSale): Offer {
  sales.set(offer, sale)
  return offer
}

export function gatePayHook(gate: Gate): PayHook {
  return (input) => pay(gate, input)
}

export async function pay(gate: Gate, input: PayInput): Promise<Awaited<ReturnType<PayHook>>> {
  const sale = sales.get(input.offer)
  if (!sale) throw new Error(`nothing is sold as ${input.method} ${input.name}`)
  let body: Uint8Array
  try {
    body = operationBody(input)
  } catch {
    const detail = 'The arguments have no canonical JSON form (RFC 8785), so no payment can bind them.'
    return { kind: 'error', code: Mcp.invalidParamsCode, message: 'Invalid params', data: { detail } }
  }
  const options = sale.closed ? { closed: sale.closed } : {}
  const outcome = await decide(gate, sale.resource, decisionInput(input, body), delivery(gate, input), options)
  return respond(gate, input, outcome)
}

/** Runs the operation for a payment; a failed one is recorded as such and answered with where the receipt is. */
function delivery(gate: Gate, input: PayInput): Deliver<OperationResult> {
  return async ({ payment }) => {
    const result = await input.deliver()
    if (!isFailedResult(result)) return { value: result }
    return { value: failedResult(input, paidButFailed(gate, payment)), failure: `the ${input.method} operation ${input.name} failed` }
  }
}
