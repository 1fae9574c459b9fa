// The /mcp route handler: the gate's MCP server for `tools`, built once per process on the process's gate. A
// database outage before the server exists is a 503 with Retry-After, as on every paid route.
import { answeringOutages } from '../outage'
import { getGate } from '../runtime'
import { createGateMcpHandler } from './handler'
import type { ToolDefinition } from './paid-tool'

/** MCP `serverInfo.version`: the protocol surface of /mcp, bumped when its tools or payments change shape. */
const serverVersion = '1.0.0'

export function mcpEndpoint(tools: readonly ToolDefinition[]): (request: Request) => Promise<Response> {
  let handler: Promise<(request: Request) => Promise<Response>> | null = null
  const build = async () =>
    createGateMcpHandler(await getGate(), {
      tools,
      version: serverVersion,
      // The server's own failures (a tool that threw, a link whose file vanished): their messages, never a credential.
      onError: (error) => console.error(`mcp: ${error instanceof Error ? error.message : 'unknown error'}`),
    })
  return (request) =>
    answeringOutages(async () => {
      handler ??= build().catch((error: unknown) => {
        handler = null
        throw error
      })
      return (await handler)(request)
    })
}
