// Example: a paid MCP tool whose arguments are bound to the payment (a credential paid for one text cannot
// summarize another), and a free one beside it.
import { freeTool, paidTool } from '@/lib/gate/mcp/paid-tool'
import type { ObjectSchema } from '@/lib/mcp/registry'

const textInput: ObjectSchema = {
  type: 'object',
  properties: { text: { type: 'string', minLength: 1, maxLength: 20_000 } },
  required: ['text'],
  additionalProperties: false,
}

export const summarize = paidTool(
  'summarize',
  textInput,
  { amount: '0.02', description: 'Summarize a text (two cents a call)' },
  ({ text }) =>
    String(text)
      .split(/(?<=[.!?])\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .join(' '),
)

export const wordCount = freeTool('word_count', textInput, 'Count the words of a text (free)', ({ text }) =>
  String(String(text).split(/\s+/).filter(Boolean).length),
)
