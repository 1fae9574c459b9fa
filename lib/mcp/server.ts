// The MCP server of one POST: the SDK's low-level `Server` (not `McpServer`, whose tool handler turns every thrown
// error into an `isError` result and would lose -32043/-32602 and their data), with tools/list, resources/list and
// prompts/list free, and tools/call, resources/read and prompts/get asking the pay hook. See docs/mcp.md.
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import {
  CallToolRequestSchema,
  CallToolResultSchema,
  GetPromptRequestSchema,
  GetPromptResultSchema,
  InitializeRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  PingRequestSchema,
  ReadResourceRequestSchema,
  ReadResourceResultSchema,
  type CallToolResult,
  type ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js'
import type { Credential } from '@/lib/protocol/Credential'
import * as Mcp from '@/lib/protocol/Mcp'
import { MalformedCredentialError } from '@/lib/protocol/Problem'
import { invalidParamsCode, type RequestId, type RequestSchema } from './json-rpc'
import {
  markFailed,
  type Catalog,
  type OperationContext,
  type OperationResult,
  type PaidPrompt,
  type PaidResource,
  type PaidTool,
  type PayHook,
} from './registry'

/** MCP's "resource not found" (2025-11-25). */
export const resourceNotFoundCode = -32002

export type ServerInfo = { name: string; version: string; title?: string; instructions?: string }

/** Everything one POST's server needs. `originals` are the messages as sent (root `_meta` included), by id. */
export type ServerContext = {
  info: ServerInfo
  payment: Mcp.Capability
  catalog: Catalog
  pay: PayHook
  request: Request
  originals: ReadonlyMap<RequestId, Record<string, unknown>>
  onError: (error: unknown) => void
}

/** Thrown inside request handlers: the SDK answers it with exactly this code, message and data. */
export class JsonRpcError extends Error {
  override name = 'JsonRpcError'
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message)
  }

  static from(error: Mcp.ErrorObject): JsonRpcError {
    return new JsonRpcError(error.code, error.message, error.data)
  }
}

/** The request schema of every method a server with this catalog answers (for json-rpc.ts's checks). */
export function answeredMethods(catalog: Catalog): Map<string, RequestSchema> {
  const methods = new Map<string, RequestSchema>([
    ['initialize', InitializeRequestSchema],
    ['ping', PingRequestSchema],
    ['tools/list', ListToolsRequestSchema],
    ['tools/call', CallToolRequestSchema],
  ])
  if (catalog.resources.size > 0) {
    methods.set('resources/list', ListResourcesRequestSchema)
    methods.set('resources/templates/list', ListResourceTemplatesRequestSchema)
    methods.set('resources/read', ReadResourceRequestSchema)
  }
  if (catalog.prompts.size > 0) {
    methods.set('prompts/list', ListPromptsRequestSchema)
    methods.set('prompts/get', GetPromptRequestSchema)
  }
  return methods
}

export function createServer(context: ServerContext): Server {
  const { catalog, info } = context
  const capabilities: ServerCapabilities = { tools: {}, experimental: { payment: context.payment } }
  if (catalog.resources.size > 0) capabilities.resources = {}
  if (catalog.prompts.size > 0) capabilities.prompts = {}
  const server = new Server(
    { name: info.name, version: info.version, ...(info.title !== undefined ? { title: info.title } : {}) },
    { capabilities, ...(info.instructions !== undefined ? { instructions: info.instructions } : {}) },
  )

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [...catalog.tools.values()].flatMap((entry) => (entry.listing ? [entry.listing] : [])),
  }))
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name } = request.params
    const entry = catalog.tools.get(name)
    if (!entry) throw new JsonRpcError(invalidParamsCode, 'Invalid params', { detail: `Unknown tool: ${name}` })
    const args = request.params.arguments ?? {}
    // MCP 2025-11-25: bad arguments are a tool execution error the model can correct, and nothing is charged.
    const mismatch = entry.validate(args)
    if (mismatch !== undefined) return toolError(`Invalid arguments for tool ${name}: ${mismatch}`)
    const operation: OperationContext = { requestId: extra.requestId, signal: extra.signal }
    // A tool that throws or returns no valid result is a tool execution error (MCP), its cause kept for the operator.
    const deliver = guarded(
      () => entry.tool.call(args, operation),
      CallToolResultSchema,
      context.onError,
      () => markFailed(toolError(`Tool ${name} failed.`)),
    )
    return (await charge(context, 'tools/call', name, args, entry.tool, extra.requestId, deliver)) as CallToolResult
  })

  if (catalog.resources.size > 0) {
    server.setRequestHandler(ListResourcesRequestSchema, async () => ({
      resources: [...catalog.resources.values()].map((entry) => entry.listing),
    }))
    server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates: [] }))
    server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
      const { uri } = request.params
      const entry = catalog.resources.get(uri)
      if (!entry) throw new JsonRpcError(resourceNotFoundCode, 'Resource not found', { uri })
      const deliver = guarded(
        () => entry.resource.read({ requestId: extra.requestId, signal: extra.signal }),
        ReadResourceResultSchema,
        context.onError,
        () => {
          throw JsonRpcError.from(Mcp.internalError('The resource could not be read.'))
        },
      )
      return charge(context, 'resources/read', uri, {}, entry.resource, extra.requestId, deliver)
    })
  }

  if (catalog.prompts.size > 0) {
    server.setRequestHandler(ListPromptsRequestSchema, async () => ({
      prompts: [...catalog.prompts.values()].map((entry) => entry.listing),
    }))
    server.setRequestHandler(GetPromptRequestSchema, async (request, extra) => {
      const { name } = request.params
      const entry = catalog.prompts.get(name)
      if (!entry) throw new JsonRpcError(invalidParamsCode, 'Invalid params', { detail: `Unknown prompt: ${name}` })
      const args = request.params.arguments ?? {}
      const missing = (entry.prompt.arguments ?? []).filter((argument) => argument.required && !Object.hasOwn(args, argument.name))
      if (missing.length > 0)
        throw new JsonRpcError(invalidParamsCode, 'Invalid params', {
          detail: `Missing prompt arguments: ${missing.map((a) => a.name).join(', ')}`,
        })
      const deliver = guarded(
        () => entry.prompt.get(args, { requestId: extra.requestId, signal: extra.signal }),
        GetPromptResultSchema,
        context.onError,
        () => {
          throw JsonRpcError.from(Mcp.internalError('The prompt could not be produced.'))
        },
      )
      return charge(context, 'prompts/get', name, args, entry.prompt, extra.requestId, deliver)
    })
  }
  return server
}

/** Free: deliver. Priced: read the credential, ask `pay` (a malformed one too), answer its error or its result + receipt. */
async function charge(
  context: ServerContext,
  method: Mcp.PayableMethod,
  name: string,
  args: Record<string, unknown>,
  offer: PaidTool | PaidResource | PaidPrompt,
  requestId: RequestId,
  deliver: () => Promise<OperationResult>,
): Promise<OperationResult> {
  const price = offer.price
  if (price === null) return deliver()
  let credential: Credential | null = null
  let malformed: MalformedCredentialError | null = null
  try {
    credential = Mcp.credentialFromMessage(context.originals.get(requestId))
  } catch (error) {
    if (!(error instanceof MalformedCredentialError)) throw error
    malformed = error
  }
  let outcome
  try {
    const request = context.request
    outcome = await context.pay({ method, name, arguments: args, price, offer, credential, malformed, requestId, request, deliver })
  } catch (error) {
    context.onError(error)
    throw JsonRpcError.from(Mcp.internalError())
  }
  if (outcome.kind === 'error') throw new JsonRpcError(outcome.code, outcome.message, outcome.data)
  return outcome.receipt === undefined ? outcome.result : Mcp.withReceipt(outcome.result, outcome.receipt)
}

/** `run`, whose throw or invalid result goes to `onError` and is answered by `failed` (never with the error's text). */
function guarded<Result extends OperationResult>(
  run: () => Promise<Result>,
  schema: { safeParse(value: unknown): { success: boolean } },
  onError: (error: unknown) => void,
  failed: () => Result,
): () => Promise<Result> {
  return async () => {
    let result: Result
    try {
      result = await run()
    } catch (error) {
      onError(error)
      return failed()
    }
    if (schema.safeParse(result).success) return result
    onError(new TypeError('an MCP operation returned a result its schema rejects'))
    return failed()
  }
}

function toolError(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true }
}
