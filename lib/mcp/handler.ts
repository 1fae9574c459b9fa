// /mcp as a Web `Request -> Response` handler (a Next.js route's POST): stateless Streamable HTTP on the MCP SDK.
// Reads the body with a byte limit, answers every client mistake itself (json-rpc.ts), hands the valid requests of
// the POST to one SDK server + transport, and merges the answers. Never a 5xx or -32603 for a client's mistake.
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import { BodyTooLargeError, bodyTooLargeResponse, readBody } from '@/lib/http/read-body'
import * as Mcp from '@/lib/protocol/Mcp'
import { errorResponse, invalidRequestCode, parseBody, parseErrorCode, type RequestId } from './json-rpc'
import { createCatalog, type Catalog, type PaidPrompt, type PaidResource, type PaidTool, type PayHook } from './registry'
import { answeredMethods, createServer, type ServerInfo } from './server'

/** What the server offers; a function is asked once per POST (a catalog built from the database). */
export type Offer = { tools?: readonly PaidTool[]; resources?: readonly PaidResource[]; prompts?: readonly PaidPrompt[] }

export type McpHandlerOptions = {
  info: ServerInfo
  /** The payment methods the gate offers, for `capabilities.experimental.payment` (e.g. `[{method:'evm', intent:'charge'}]`). */
  payment: Iterable<{ method: string; intent: string }>
  offer: Offer | ((request: Request) => Promise<Offer>)
  pay: PayHook
  /** Larger bodies are answered 413 unread (default 1 MB). */
  maxBodyBytes?: number
  /** The server's own failures (a tool that threw, a pay hook that threw, an offer that could not be built). */
  onError?: (error: unknown) => void
}

export const defaultMaxBodyBytes = 1024 * 1024

const jsonHeaders = { 'content-type': 'application/json', 'cache-control': 'no-store' }

export function createMcpHandler(options: McpHandlerOptions): (request: Request) => Promise<Response> {
  const payment = Mcp.capability(options.payment)
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes
  const onError = options.onError ?? (() => {})
  const staticCatalog = typeof options.offer === 'function' ? null : createCatalog(options.offer)

  return async (request) => {
    // Stateless: no session to stream to (GET) or end (DELETE).
    if (request.method !== 'POST') return new Response(null, { status: 405, headers: { allow: 'POST', 'cache-control': 'no-store' } })
    let bytes: Uint8Array
    try {
      bytes = await readBody(request, maxBodyBytes)
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        return bodyTooLargeResponse(
          error,
          errorResponse(null, invalidRequestCode, 'Request body too large', { maxBytes: error.limitBytes }),
        )
      // The client broke the stream off: whatever is answered, it is a client's problem, not the server's.
      return json(400, errorResponse(null, parseErrorCode, 'Parse error', { detail: 'The body could not be read.' }))
    }
    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch {
      return json(400, errorResponse(null, parseErrorCode, 'Parse error', { detail: 'The body is not UTF-8.' }))
    }

    let catalog: Catalog
    try {
      catalog = staticCatalog ?? createCatalog(await (options.offer as (request: Request) => Promise<Offer>)(request))
    } catch (error) {
      onError(error)
      return json(
        503,
        errorResponse(null, Mcp.internalErrorCode, 'Internal error', { detail: 'The server cannot list its tools now; try again later.' }),
      )
    }

    const body = parseBody(text, answeredMethods(catalog))
    if ('error' in body) return json(400, body.error)
    const requests = body.entries.flatMap((entry) => (entry.kind === 'request' ? [entry] : []))
    const answers = new Map<RequestId, unknown>()
    if (requests.length > 0) {
      const server = createServer({
        info: options.info,
        payment,
        catalog,
        pay: options.pay,
        request,
        originals: new Map(requests.map((entry) => [entry.id, entry.original])),
        onError,
      })
      const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true })
      try {
        await server.connect(transport)
        const parsedBody = body.batch ? requests.map((entry) => entry.message) : requests[0]!.message
        const response = await transport.handleRequest(request, { parsedBody })
        // The SDK's own answers about the POST itself (Accept 406, Content-Type 415, MCP-Protocol-Version 400).
        if (response.status !== 200) return withNoStore(response)
        for (const answer of [(await response.json()) as unknown].flat()) answers.set((answer as { id: RequestId }).id, answer)
      } finally {
        await server.close()
      }
    }

    const responses = body.entries.flatMap((entry) => {
      if (entry.kind === 'error') return [entry.response]
      if (entry.kind === 'request') return answers.has(entry.id) ? [answers.get(entry.id)] : []
      return []
    })
    if (responses.length === 0) return new Response(null, { status: 202, headers: { 'cache-control': 'no-store' } })
    if (body.batch) return json(200, responses)
    const [only] = responses as [{ error?: { code?: number } }]
    // An envelope the server could not read is a bad HTTP request; any other answer (even a JSON-RPC error) is a 200.
    return json(only.error?.code === invalidRequestCode ? 400 : 200, only)
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: jsonHeaders })
}

function withNoStore(response: Response): Response {
  const headers = new Headers(response.headers)
  headers.set('cache-control', 'no-store')
  return new Response(response.body, { status: response.status, headers })
}
