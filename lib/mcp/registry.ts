// What /mcp offers (tools, resources, prompts, each with a price or free) and the hook that decides payment.
// The plumbing (handler.ts) never decides who pays what: it asks `pay`, which the gate implements.
import type {
  CallToolResult,
  GetPromptResult,
  Prompt,
  PromptArgument,
  ReadResourceResult,
  Resource,
  Tool,
  ToolAnnotations,
} from '@modelcontextprotocol/sdk/types.js'
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv'
import type { Credential } from '@/lib/protocol/Credential'
import type * as Mcp from '@/lib/protocol/Mcp'
import type { MalformedCredentialError } from '@/lib/protocol/Problem'

/** A discovery payment offer (draft-payment-discovery-00): `amount` in the currency's base units, null when dynamic. */
export type PaymentOffer = { method: string; intent: string; amount: string | null; currency?: string; description?: string }

/** A price as listings show it: discovery's `x-payment-info` multi-offer form. The challenge stays authoritative. */
export type PaymentInfo = { offers: readonly PaymentOffer[] }

/**
 * Where tools/list, resources/list and prompts/list put an entry's price: `_meta["x-payment-info"]`, the name and
 * shape the discovery spec gives OpenAPI operations. The MCP transport spec defines no listing of prices.
 */
export const paymentInfoMetaKey = 'x-payment-info'

/** A JSON Schema for an object (MCP requires `type: "object"` for tool input). */
export type ObjectSchema = { type: 'object'; properties?: Record<string, object>; required?: string[]; [keyword: string]: unknown }

/** What a tool, resource or prompt gets when it runs. */
export type OperationContext = { requestId: string | number; signal: AbortSignal }

export type PaidTool = {
  name: string
  title?: string
  description: string
  /** Arguments are checked against it before any payment is asked for; a mismatch is an `isError` result, free. */
  inputSchema: ObjectSchema
  annotations?: ToolAnnotations
  /** null: a free tool (no challenge; a credential sent with it is ignored, as the spec requires). */
  price: PaymentInfo | null
  /** Runs the tool. A throw becomes an `isError` result with a generic text (the error goes to `onError`). */
  call(args: Record<string, unknown>, context: OperationContext): Promise<CallToolResult>
  /** false: callable but left out of tools/list (e.g. a link that sold out, so a caller hears why it is refused). */
  listed?: boolean
}

export type PaidResource = {
  uri: string
  name: string
  title?: string
  description?: string
  mimeType?: string
  price: PaymentInfo | null
  read(context: OperationContext): Promise<ReadResourceResult>
}

export type PaidPrompt = {
  name: string
  title?: string
  description?: string
  arguments?: PromptArgument[]
  price: PaymentInfo | null
  get(args: Record<string, string>, context: OperationContext): Promise<GetPromptResult>
}

export type OperationResult = CallToolResult | ReadResourceResult | GetPromptResult

/** One payable operation that needs payment. */
export type PayInput = {
  method: Mcp.PayableMethod
  /** The tool name, resource URI or prompt name. */
  name: string
  /** The tool's (validated) or prompt's arguments; `{}` for a resource. */
  arguments: Record<string, unknown>
  price: PaymentInfo
  /** The tool, resource or prompt being paid for, as the offer gave it. */
  offer: PaidTool | PaidResource | PaidPrompt
  /** The credential from `params._meta` or the root `_meta`, parsed; null when none was sent (or it was malformed). */
  credential: Credential | null
  /** A credential that was sent but cannot be read: the hook answers it (-32602 with fresh challenges, Mcp.errorFor). */
  malformed: MalformedCredentialError | null
  requestId: string | number
  /** The HTTP request that carried the message (headers only: its body is already read). */
  request: Request
  /**
   * Runs the operation. Call it once the payment is secured (or first, to settle only after success). It never
   * throws for a tool: a failure is an `isError` result that `isFailedResult` recognises.
   */
  deliver: () => Promise<OperationResult>
}

const failedResults = new WeakSet<object>()

/** Whether `result` stands for an operation that failed (threw, or returned a result its schema rejects). */
export function isFailedResult(result: OperationResult): boolean {
  return failedResults.has(result)
}

/** Marks `result` as the stand-in of a failed operation (server.ts, for the hook's `isFailedResult`). */
export function markFailed<Result extends OperationResult>(result: Result): Result {
  failedResults.add(result)
  return result
}

/**
 * What `pay` decides. `error` becomes a JSON-RPC error exactly as given (build it with Mcp.paymentRequired,
 * Mcp.verificationFailed, Mcp.errorFor…); `result` is answered with the receipt in `result._meta`.
 */
export type PayResult =
  { kind: 'error'; code: number; message: string; data: unknown } | { kind: 'result'; result: OperationResult; receipt?: Mcp.ReceiptJson }

export type PayHook = (input: PayInput) => Promise<PayResult>

/** The offer, checked and indexed once. */
export type Catalog = {
  tools: ReadonlyMap<string, { tool: PaidTool; listing: Tool | null; validate: (args: unknown) => string | undefined }>
  resources: ReadonlyMap<string, { resource: PaidResource; listing: Resource }>
  prompts: ReadonlyMap<string, { prompt: PaidPrompt; listing: Prompt }>
}

export class InvalidCatalogError extends Error {
  override name = 'InvalidCatalogError'
}

const validators = new AjvJsonSchemaValidator()
// Compiled validators by schema object: a catalog rebuilt per request from the same schemas compiles them once.
const compiled = new WeakMap<object, (args: unknown) => string | undefined>()

/** Checks names (unique, non-empty) and compiles input schemas. Throws InvalidCatalogError: a configuration mistake. */
export function createCatalog(offer: {
  tools?: readonly PaidTool[]
  resources?: readonly PaidResource[]
  prompts?: readonly PaidPrompt[]
}): Catalog {
  const tools = new Map<string, { tool: PaidTool; listing: Tool | null; validate: (args: unknown) => string | undefined }>()
  for (const tool of offer.tools ?? []) {
    if (!tool.name || tools.has(tool.name)) throw new InvalidCatalogError(`tool names must be unique and non-empty: "${tool.name}"`)
    if (tool.inputSchema?.type !== 'object') throw new InvalidCatalogError(`tool "${tool.name}": inputSchema must have type "object"`)
    const { name, title, description, inputSchema, annotations } = tool
    const listing: Tool = { name, description, inputSchema, ...defined({ title, annotations }), ...priceMeta(tool.price) }
    tools.set(tool.name, { tool, listing: tool.listed === false ? null : listing, validate: validatorFor(tool) })
  }
  const resources = new Map<string, { resource: PaidResource; listing: Resource }>()
  for (const resource of offer.resources ?? []) {
    if (!resource.uri || resources.has(resource.uri))
      throw new InvalidCatalogError(`resource URIs must be unique and non-empty: "${resource.uri}"`)
    const { uri, name, title, description, mimeType } = resource
    resources.set(uri, { resource, listing: { uri, name, ...defined({ title, description, mimeType }), ...priceMeta(resource.price) } })
  }
  const prompts = new Map<string, { prompt: PaidPrompt; listing: Prompt }>()
  for (const prompt of offer.prompts ?? []) {
    if (!prompt.name || prompts.has(prompt.name))
      throw new InvalidCatalogError(`prompt names must be unique and non-empty: "${prompt.name}"`)
    const { name, title, description } = prompt
    const listing = { name, ...defined({ title, description, arguments: prompt.arguments }), ...priceMeta(prompt.price) }
    prompts.set(name, { prompt, listing })
  }
  return { tools, resources, prompts }
}

/** The members that are not undefined (listings omit absent fields rather than send them as null). */
function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>
}

function priceMeta(price: PaymentInfo | null): { _meta?: Record<string, unknown> } {
  return price === null ? {} : { _meta: { [paymentInfoMetaKey]: { offers: price.offers.map((offer) => ({ ...offer })) } } }
}

function validatorFor(tool: PaidTool): (args: unknown) => string | undefined {
  const cached = compiled.get(tool.inputSchema)
  if (cached) return cached
  let check: (args: unknown) => { valid: boolean; errorMessage?: string }
  try {
    check = validators.getValidator(tool.inputSchema as never)
  } catch (cause) {
    throw new InvalidCatalogError(`tool "${tool.name}": inputSchema does not compile`, { cause })
  }
  const validate = (args: unknown) => {
    const result = check(args)
    return result.valid ? undefined : (result.errorMessage ?? 'the arguments do not match the input schema')
  }
  compiled.set(tool.inputSchema, validate)
  return validate
}
