// JSON-RPC 2.0 envelopes as /mcp receives them, checked before the MCP SDK sees them: the SDK answers a malformed
// `params` with -32603 and a malformed `_meta` (or any root `_meta`) with HTTP 400/-32700 for the whole POST, while
// the payment transport spec wants -32602 and root `_meta` read. Here every client mistake gets its own JSON-RPC
// error, and what reaches the SDK is a message its schemas accept. Pure: no I/O.
import { JSONRPCRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import type { z } from 'zod'
import { isPlainObject } from '@/lib/protocol/internal/Grammar'

export type RequestId = string | number

export const parseErrorCode = -32700
export const invalidRequestCode = -32600
export const methodNotFoundCode = -32601
export const invalidParamsCode = -32602

/** At most this many messages in one batch (the SDK's own bound). */
export const maxBatchSize = 100
/** Deeper JSON is refused before anything walks it recursively (schemas, JCS). */
export const maxDepth = 64

export type ErrorResponse = {
  jsonrpc: '2.0'
  id: RequestId | null
  error: { code: number; message: string; data?: unknown }
}

/** A request schema of the SDK (`CallToolRequestSchema`, …): `{ method, params }`. */
export type RequestSchema = z.ZodType

/** One message of a POST body. */
export type Entry =
  /** A request the SDK will answer: `message` is what it gets (root `_meta` moved aside), `original` what was sent. */
  | { kind: 'request'; id: RequestId; method: string; message: Record<string, unknown>; original: Record<string, unknown> }
  /** Notifications and client responses: nothing answers them (stateless server; payable notifications are dropped). */
  | { kind: 'ignored'; reason: 'notification' | 'response' }
  /** A message answered here with an error. */
  | { kind: 'error'; response: ErrorResponse }

export type Body = { batch: boolean; entries: Entry[] } | { batch: false; error: ErrorResponse }

export function errorResponse(id: RequestId | null, code: number, message: string, data?: unknown): ErrorResponse {
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } }
}

/**
 * Reads a POST body: one message or a batch. `methods` maps each method the server answers to the SDK schema of its
 * request; other methods get -32601. Never throws.
 */
export function parseBody(text: string, methods: ReadonlyMap<string, RequestSchema>): Body {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { batch: false, error: errorResponse(null, parseErrorCode, 'Parse error', { detail: 'The body is not JSON.' }) }
  }
  if (nestedDeeperThan(value, maxDepth))
    return {
      batch: false,
      error: errorResponse(null, invalidRequestCode, 'Invalid Request', { detail: `JSON nested deeper than ${maxDepth} levels.` }),
    }
  if (!Array.isArray(value)) return { batch: false, entries: [parseMessage(value, methods)] }
  if (value.length === 0)
    return { batch: false, error: errorResponse(null, invalidRequestCode, 'Invalid Request', { detail: 'An empty batch.' }) }
  if (value.length > maxBatchSize)
    return {
      batch: false,
      error: errorResponse(null, invalidRequestCode, 'Invalid Request', { detail: `A batch holds at most ${maxBatchSize} messages.` }),
    }
  const entries = value.map((message) => parseMessage(message, methods))
  // Responses are matched to requests by id: a repeated id would make them ambiguous.
  const seen = new Set<RequestId>()
  return {
    batch: true,
    entries: entries.map((entry) => {
      if (entry.kind !== 'request') return entry
      if (!seen.has(entry.id)) {
        seen.add(entry.id)
        return entry
      }
      return {
        kind: 'error',
        response: errorResponse(entry.id, invalidRequestCode, 'Invalid Request', { detail: 'The id is used twice in this batch.' }),
      }
    }),
  }
}

const allowedMembers = new Set(['jsonrpc', 'id', 'method', 'params', '_meta'])

/** Classifies one message; errors name what is wrong, never echo values. */
export function parseMessage(value: unknown, methods: ReadonlyMap<string, RequestSchema>): Entry {
  const invalid = (id: RequestId | null, detail: string): Entry => ({
    kind: 'error',
    response: errorResponse(id, invalidRequestCode, 'Invalid Request', { detail }),
  })
  if (!isPlainObject(value)) return invalid(null, 'A message must be a JSON object.')
  const id = isRequestId(value.id) ? value.id : null
  if (value.jsonrpc !== '2.0') return invalid(id, 'jsonrpc must be "2.0".')
  if (!Object.hasOwn(value, 'method')) {
    // A client's response to a server request: this stateless server sends none, so it answers nothing.
    if (Object.hasOwn(value, 'result') !== Object.hasOwn(value, 'error')) return { kind: 'ignored', reason: 'response' }
    return invalid(id, 'A message needs a method (a request or notification) or one of result/error (a response).')
  }
  if (typeof value.method !== 'string' || value.method === '') return invalid(id, 'method must be a non-empty string.')
  for (const member of Object.keys(value)) if (!allowedMembers.has(member)) return invalid(id, `Unknown member "${safeName(member)}".`)
  if (Object.hasOwn(value, 'params') && !isPlainObject(value.params) && !Array.isArray(value.params))
    return invalid(id, 'params must be an object or an array.')
  // Notifications are never processed for payment, and nothing else a client can notify matters without a session.
  if (!Object.hasOwn(value, 'id')) return { kind: 'ignored', reason: 'notification' }
  if (id === null) return invalid(null, 'id must be a string or an integer.')

  const method = value.method
  const invalidParams = (detail: string): Entry => ({
    kind: 'error',
    response: errorResponse(id, invalidParamsCode, 'Invalid params', { detail }),
  })
  if (Object.hasOwn(value, '_meta') && !isPlainObject(value._meta)) return invalidParams('_meta must be a JSON object.')
  const message = Object.fromEntries(Object.entries(value).filter(([member]) => member !== '_meta'))
  const schema = methods.get(method)
  if (!schema)
    return {
      kind: 'error',
      response: errorResponse(id, methodNotFoundCode, 'Method not found', { detail: `No method "${safeName(method)}".` }),
    }
  const envelope = JSONRPCRequestSchema.safeParse(message)
  if (!envelope.success) return invalidParams(describe(envelope.error))
  // The SDK would answer a task-augmented request -32603 (no tasks capability); this server runs nothing as a task.
  if (isPlainObject(message.params) && Object.hasOwn(message.params, 'task'))
    return invalidParams('Task-augmented requests are not supported.')
  const request = schema.safeParse({ method, ...(Object.hasOwn(message, 'params') ? { params: message.params } : {}) })
  if (!request.success) return invalidParams(describe(request.error))
  return { kind: 'request', id, method, message, original: value }
}

function isRequestId(value: unknown): value is RequestId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value))
}

/** Whether `value` nests arrays/objects deeper than `limit` (iterative: the body may be hostile). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!
    if (typeof current !== 'object' || current === null) continue
    if (depth >= limit) return true
    for (const child of Object.values(current)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1])
  }
  return false
}

/** The first issue as `path: message` (zod's messages name types, never the value). */
function describe(error: z.ZodError): string {
  const issue = error.issues[0]
  if (!issue) return 'Invalid params.'
  const path = issue.path.map(String).join('.')
  return path === '' ? issue.message : `${path}: ${issue.message}`
}

/** A member or method name fit to quote back: short, printable. */
function safeName(name: string): string {
  const printable = name.replace(/[^\x20-\x7e]/g, '?')
  return printable.length > 64 ? `${printable.slice(0, 64)}…` : printable
}
