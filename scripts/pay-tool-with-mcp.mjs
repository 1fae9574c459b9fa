// PRIVATE_KEY=0x… node scripts/pay-tool-with-mcp.mjs [mcp url] [tool]
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { evm } from 'mppx/client'
import { McpClient } from 'mppx/mcp/client'
import { privateKeyToAccount } from 'viem/accounts'

const url = process.argv[2] ?? 'http://127.0.0.1:3000/mcp'
const tool = process.argv[3] ?? 'fortune'
const client = new Client({ name: 'pay-tool-with-mcp', version: '1.0.0' })
await client.connect(new StreamableHTTPClientTransport(new URL(url)))

// Pays -32042 challenges with EIP-3009 authorizations: the demo token's EIP-712 domain, at most $1 a call.
const account = privateKeyToAccount(process.env.PRIVATE_KEY)
McpClient.wrap(client, { methods: [evm({ account, authorization: { name: 'USD Coin', version: '2' }, maxAmount: '1', decimals: 6 })] })

for (const { name, _meta } of (await client.listTools()).tools) console.log(name, _meta?.['x-payment-info']?.offers[0]?.amount ?? 'free')
const result = await client.callTool({ name: tool, arguments: {} })
console.log(result.content[0]?.text)
console.log('receipt', JSON.stringify(result.receipt))
await client.close()
