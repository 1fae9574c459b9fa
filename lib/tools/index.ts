// The app's own MCP tools, served at /mcp beside the links sold as tools. Add a tool here (paidTool or freeTool,
// lib/gate/mcp/paid-tool.ts); a link's tool may not take one of these names.
import type { ToolDefinition } from '@/lib/gate/mcp/paid-tool'
import { fortune } from './fortune'
import { summarize, wordCount } from './summarize'

export const tools: readonly ToolDefinition[] = [fortune, summarize, wordCount]

/** Names a link's MCP tool may not take. */
export const ownToolNames: ReadonlySet<string> = new Set(tools.map((tool) => tool.name))
