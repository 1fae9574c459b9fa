// `paidTool(name, inputSchema, price, handler)`: put a price on an MCP tool in one line, as `withPayment` does on a
// route. The price is withPayment's PriceSpec (amount, recipient, description, rails); the handler runs only after
// the payment settled. Over MCP there are no grants: every call pays (`accessMinutes` does not apply).
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js'
import { getAddress } from 'viem'
import type { Address } from 'viem'
import { offersFor } from '@/lib/discovery/discovery'
import type { ObjectSchema, OperationContext, PaidTool } from '@/lib/mcp/registry'
import * as Intent from '@/lib/protocol/Intent'
import { methodKey, type Gate, type PricedResource } from '../types'
import type { PriceSpec } from '../with-payment'
import { sells } from './pay-hook'

/** What a tool handler returns: text, or a whole MCP tool result. */
export type ToolAnswer = string | CallToolResult
export type ToolHandler = (args: Record<string, unknown>, context: OperationContext) => ToolAnswer | Promise<ToolAnswer>

/** A tool as the app registers it (lib/tools), before a gate prices it. */
export type ToolDefinition = {
  name: string
  title?: string
  description: string
  inputSchema: ObjectSchema
  annotations?: ToolAnnotations
  /** null: free. */
  price: PriceSpec | null
  handler: ToolHandler
}

export type ToolOptions = { title?: string; description?: string; annotations?: ToolAnnotations }

/** A paid tool; its description is `options.description`, else the price's description. */
export function paidTool(
  name: string,
  inputSchema: ObjectSchema,
  price: PriceSpec,
  handler: ToolHandler,
  options: ToolOptions = {},
): ToolDefinition {
  const description = options.description ?? (typeof price === 'object' ? price.description : undefined) ?? name
  return { name, inputSchema, price, handler, description, ...defined({ title: options.title, annotations: options.annotations }) }
}

/** A free tool: no challenge, and a credential sent with it is ignored. */
export function freeTool(
  name: string,
  inputSchema: ObjectSchema,
  description: string,
  handler: ToolHandler,
  options: Omit<ToolOptions, 'description'> = {},
): ToolDefinition {
  return { name, inputSchema, price: null, handler, description, ...defined({ title: options.title, annotations: options.annotations }) }
}

/** The priced resource a tool sells: `mcp:tool:<name>`, each call paid once. */
export function toolResource(name: string, spec: PriceSpec, publicUrl: URL, defaultRecipient: Address | null): PricedResource {
  const s = typeof spec === 'string' ? { amount: spec } : spec
  const recipient = s.recipient ?? defaultRecipient
  if (!recipient) throw new Error(`paidTool ${name}: no recipient — pass { recipient } or set PAYMENT_RECIPIENT`)
  return {
    key: `mcp:tool:${name}`,
    url: new URL('/mcp', publicUrl).toString(),
    priceUsd: s.amount,
    recipient: getAddress(recipient),
    offers: (s.rails ?? ['evm', 'stripe']).map((rail) => methodKey(rail, Intent.charge)),
    title: s.description ?? name,
    ...(s.description ? { description: s.description } : {}),
    accessPolicy: { kind: 'once' },
  }
}

/** The tool as /mcp serves it on this gate: listed with its offers (as its challenge will ask), sold as toolResource. */
export function toolOffer(gate: Gate, definition: ToolDefinition): PaidTool {
  const { name, title, description, inputSchema, annotations } = definition
  const call = async (args: Record<string, unknown>, context: OperationContext) => toolResult(await definition.handler(args, context))
  const tool: PaidTool = { name, description, inputSchema, ...defined({ title, annotations }), price: null, call }
  if (definition.price === null) return tool
  const resource = toolResource(name, definition.price, gate.config.publicUrl, gate.config.defaultRecipient)
  return sells({ ...tool, price: { offers: offersFor(gate.methods, resource) } }, { resource })
}

export function toolResult(answer: ToolAnswer): CallToolResult {
  return typeof answer === 'string' ? { content: [{ type: 'text', text: answer }] } : answer
}

function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>
}
