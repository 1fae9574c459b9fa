// /mcp: the Model Context Protocol over Streamable HTTP, stateless (POST; GET and DELETE answer 405), with paid
// tools (the MPP JSON-RPC transport): the app's own tools (lib/tools) and every link sold as a tool.
import { mcpEndpoint } from '@/lib/gate/mcp/endpoint'
import { tools } from '@/lib/tools'

export const dynamic = 'force-dynamic'

export const POST = mcpEndpoint(tools)
export const GET = POST
export const DELETE = POST
