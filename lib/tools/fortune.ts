// Example: a paid MCP tool. One call costs a cent; the handler is ordinary and runs only once the payment settled.
import { paidTool } from '@/lib/gate/mcp/paid-tool'

const fortunes = [
  'A well-formed 402 is the beginning of a beautiful friendship.',
  'The challenge you pay today is the receipt you keep tomorrow.',
  'An agent with a wallet never waits for an invoice.',
  'Fortune favours the payer who reads the challenge.',
]

export const fortune = paidTool(
  'fortune',
  {
    type: 'object',
    properties: { topic: { type: 'string', maxLength: 80, description: 'What the fortune is about' } },
    additionalProperties: false,
  },
  { amount: '0.01', description: 'A fortune, freshly told (one cent a call)' },
  ({ topic }) => {
    const text = fortunes[Math.floor(Math.random() * fortunes.length)]!
    return typeof topic === 'string' && topic.trim() !== '' ? `On ${topic.trim()}: ${text}` : text
  },
)
