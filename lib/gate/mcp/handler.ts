// /mcp on a gate: the MCP server (lib/mcp) offering the app's own tools (lib/tools) and every link sold as a
// tool, paid through the gate's core (pay-hook.ts). Payment methods are advertised in
// `capabilities.experimental.payment`; tools/list is free and shows each tool's price.
import { createMcpHandler } from '@/lib/mcp/handler'
import type { PaidTool } from '@/lib/mcp/registry'
import type { Gate } from '../types'
import { linkTools } from './link-tools'
import { toolOffer, type ToolDefinition } from './paid-tool'
import { gatePayHook } from './pay-hook'

export type GateMcpOptions = {
  /** The app's own tools; a link tool with one of their names is left out. */
  tools: readonly ToolDefinition[]
  version: string
  /** The server's own failures (never called with a credential). */
  onError?: (error: unknown) => void
}

export function createGateMcpHandler(gate: Gate, options: GateMcpOptions): (request: Request) => Promise<Response> {
  const own = options.tools.map((definition) => toolOffer(gate, definition))
  const ownNames = new Set(own.map((tool) => tool.name))
  const onError = options.onError ?? (() => {})
  const shadowed = new Set<string>()
  return createMcpHandler({
    info: {
      name: 'tollgate',
      title: 'Tollgate',
      version: options.version,
      instructions:
        'Paid tools: a priced tool answers -32042 with payment challenges (MPP JSON-RPC transport); pay one and call again with the credential in _meta["org.paymentauth/credential"]. Each call pays.',
    },
    payment: gate.methods.all.map(({ method, intent }) => ({ method, intent })),
    offer: async () => {
      const links: PaidTool[] = []
      for (const tool of await linkTools(gate)) {
        if (!ownNames.has(tool.name)) links.push(tool)
        else if (!shadowed.has(tool.name)) {
          shadowed.add(tool.name)
          onError(new Error(`a link's MCP tool is named "${tool.name}" like one of the server's own tools; it is left out`))
        }
      }
      return { tools: [...own, ...links] }
    },
    pay: gatePayHook(gate),
    onError,
  })
}
