// The terminal commands that pay the demo: `npm run demo` prints them and the home page shows them
// (with copy buttons), both from this list. A new way to pay (sessions, MCP) is one more entry.
import { demoPayerPrivateKey } from './demo-accounts'
import { isDemoMode, type DemoEnv } from './demo-mode'

export type TerminalCommand = {
  id: string
  title: string
  /** One sentence: what it does and what it needs. */
  description: string
  /** Shell text, runnable as shown from the project folder. */
  command: string
}

export type DemoTerminalParameters = {
  /** The app's public origin, e.g. http://127.0.0.1:3000. */
  publicUrl: string
  /** The TestUSDC address of this run (x402 clients pay only tokens they were told about). */
  tokenAddress: string
  /** The local chain's JSON-RPC URL (the session client opens its channel there); default anvil's http://127.0.0.1:8545. */
  rpcUrl?: string
}

/** The JSON-RPC call the gateway command pays for. */
export const blockNumberCall = '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}'

export function demoTerminalCommands({
  publicUrl,
  tokenAddress,
  rpcUrl = 'http://127.0.0.1:8545',
}: DemoTerminalParameters): TerminalCommand[] {
  const origin = publicUrl.replace(/\/$/, '')
  const demoLink = `${origin}/l/demo`
  const rpcLink = `${origin}/l/demo-rpc`
  const sessionLink = `${origin}/l/demo-session`
  return [
    {
      id: 'mppx',
      title: 'Pay with MPP (the mppx CLI)',
      description: 'mppx gets the 402, signs an EIP-3009 authorization with anvil test account #1 and prints the fortune.',
      command: `MPPX_PRIVATE_KEY=${demoPayerPrivateKey} \\\n  npx mppx ${demoLink} -c mppx.config.mjs`,
    },
    {
      id: 'x402',
      title: 'Pay with x402 (@x402/fetch)',
      description: "Runs the README's @x402/fetch example with the same test account and this run's TestUSDC address.",
      command: `PRIVATE_KEY=${demoPayerPrivateKey} \\\n  TOKEN_ADDRESS=${tokenAddress} \\\n  node scripts/pay-with-x402.mjs ${demoLink}`,
    },
    {
      id: 'mcp',
      title: 'Pay for an MCP tool (mppx McpClient)',
      description:
        "Runs the README's MCP example: the MCP SDK client lists /mcp's tools with their prices, calls the paid fortune tool, and mppx pays the -32042 with the same test account.",
      command: `PRIVATE_KEY=${demoPayerPrivateKey} \\\n  node scripts/pay-tool-with-mcp.mjs ${origin}/mcp`,
    },
    {
      id: 'mppx-rpc',
      title: 'Pay per JSON-RPC call (a paid API gateway)',
      description:
        "mppx POSTs eth_blockNumber to /l/demo-rpc, a service link in front of the demo chain's own JSON-RPC priced per method, pays $0.001 and prints the block number.",
      command: `MPPX_PRIVATE_KEY=${demoPayerPrivateKey} \\\n  npx mppx -X POST -H 'Content-Type: application/json' -d '${blockNumberCall}' ${rpcLink} -c mppx.config.mjs`,
    },
    {
      id: 'session',
      title: 'Pay per request (an MPP session)',
      description:
        'Opens a payment channel with a $0.10 deposit (signed, no gas), pays 5 requests of /l/demo-session with one voucher each, closes and prints the receipts.',
      command: `PRIVATE_KEY=${demoPayerPrivateKey} \\\n  RPC_URL=${rpcUrl} \\\n  npx tsx scripts/pay-with-session.ts ${sessionLink} 5`,
    },
  ]
}

/** The same commands for a terminal: a title line, then the command indented. */
export function formatForTerminal(commands: readonly TerminalCommand[]): string {
  return commands.map((c) => `${c.title}:\n\n${c.command.replace(/^/gm, '  ')}`).join('\n\n')
}

/** What the home page shows: this run's commands in demo mode, nothing anywhere else. */
export function demoTerminalCommandsFromEnv(env: DemoEnv = process.env): TerminalCommand[] | null {
  if (!isDemoMode(env) || !env.EVM_TOKEN_ADDRESS) return null
  return demoTerminalCommands({
    publicUrl: env.PUBLIC_URL || `http://127.0.0.1:${env.PORT || 3000}`,
    tokenAddress: env.EVM_TOKEN_ADDRESS,
    ...(env.EVM_RPC_URL ? { rpcUrl: env.EVM_RPC_URL } : {}),
  })
}
