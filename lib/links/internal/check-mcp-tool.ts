// An MCP tool's settings, checked where only the server can: its name free of the server's own tools and
// its input schema compiling with the validator /mcp checks arguments with.
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv'
import type { McpToolSettings } from '@/lib/store/schema'
import { InvalidInputError, ToolNameTakenError } from '../errors'

export function checkToolName(tool: McpToolSettings | null, reservedNames: ReadonlySet<string> = new Set()): void {
  if (tool && reservedNames.has(tool.name)) throw new ToolNameTakenError(tool.name)
}

export function checkToolSchema(inputSchema: Record<string, unknown> | null | undefined): void {
  if (!inputSchema) return
  try {
    // A fresh validator per check: ajv keeps every schema it compiled, and saves would add up.
    new AjvJsonSchemaValidator().getValidator(inputSchema as never)
  } catch (error) {
    const reason = error instanceof Error ? error.message.slice(0, 200) : 'it does not compile'
    throw new InvalidInputError([{ path: 'mcpTool.inputSchema', message: `the input schema is not a valid JSON Schema: ${reason}` }])
  }
}
