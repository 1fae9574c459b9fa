// The tools, resources and prompts the MCP plumbing tests serve: free and paid, well-behaved and failing.
import type { Offer } from '@/lib/mcp/handler'
import type { PaymentInfo } from '@/lib/mcp/registry'
import { amount, token } from './fake-pay'

export const price: PaymentInfo = { offers: [{ method: 'evm', intent: 'charge', amount, currency: token, description: '$0.01 per call' }] }

/** What ran, so tests can tell that nothing was delivered before it was paid. */
export type Deliveries = string[]

export function testOffer(deliveries: Deliveries): Offer {
  return {
    tools: [
      {
        name: 'echo',
        description: 'Free: says back what it is given.',
        inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
        price: null,
        call: async (args) => {
          deliveries.push('echo')
          return { content: [{ type: 'text', text: String(args.text ?? '') }] }
        },
      },
      {
        name: 'search',
        title: 'Search',
        description: 'Paid: searches for q.',
        inputSchema: { type: 'object', properties: { q: { type: 'string', minLength: 1 } }, required: ['q'], additionalProperties: false },
        price,
        call: async (args) => {
          deliveries.push(`search:${String(args.q)}`)
          return { content: [{ type: 'text', text: `results for ${String(args.q)}` }], _meta: { 'test/tool-meta': 1 } }
        },
      },
      {
        name: 'explode',
        description: 'Paid, and fails when it runs.',
        inputSchema: { type: 'object' },
        price,
        call: async () => {
          deliveries.push('explode')
          throw new Error('database password is hunter2')
        },
      },
    ],
    resources: [
      {
        uri: 'data://premium/market',
        name: 'market',
        description: 'Paid market data.',
        mimeType: 'application/json',
        price,
        read: async () => {
          deliveries.push('market')
          return { contents: [{ uri: 'data://premium/market', mimeType: 'application/json', text: '{"btc":1}' }] }
        },
      },
      {
        uri: 'data://free/readme',
        name: 'readme',
        price: null,
        read: async () => {
          deliveries.push('readme')
          return { contents: [{ uri: 'data://free/readme', text: 'hello' }] }
        },
      },
    ],
    prompts: [
      {
        name: 'haiku',
        description: 'Paid: a haiku prompt.',
        arguments: [{ name: 'topic', required: true }],
        price,
        get: async (args) => {
          deliveries.push(`haiku:${args.topic}`)
          return { messages: [{ role: 'user', content: { type: 'text', text: `Write a haiku about ${args.topic}` } }] }
        },
      },
    ],
  }
}
