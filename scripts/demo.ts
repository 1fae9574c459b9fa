// `npm run demo`: local chain + embedded database + seeded demo links and history + the app, on one machine.
import * as Money from '@/lib/money'
import { formatForTerminal } from '@/lib/demo/terminal-commands'
import { assertPortFree, PortInUseError } from './chain/anvil'
import { anvilPortFromEnv } from './chain/start'
import { startDemo } from './demo/start-demo'

async function main() {
  const started = Date.now()
  const port = Number(process.env.PORT ?? 3000)
  try {
    await assertPortFree(port)
  } catch (error) {
    throw error instanceof PortInUseError ? new Error(`Port ${port} is taken: stop whatever uses it or run with PORT=<other port>.`) : error
  }
  const demo = await startDemo({
    port,
    anvilPort: anvilPortFromEnv(),
    dataDir: process.env.DATA_DIR,
    publicUrl: process.env.PUBLIC_URL,
    secret: process.env.MPP_SECRET_KEY,
    log: (line) => console.log(line),
  })
  const { url, chain, history } = demo
  const payers = new Set(history.payments.map((p) => p.payer)).size

  console.log(`
Tollgate demo is running: ${url}  (up in ${((Date.now() - started) / 1000).toFixed(1)} s)

  chain      anvil ${chain.rpcUrl} (chain ${chain.chainId}), TestUSDC ${chain.token}
  escrow     ${chain.escrow} (SessionEscrow: evm/session payment channels)
  merchant   ${demo.merchant} (anvil account 0, also the settler paying gas)
  payers     anvil accounts 1..9 hold 1000 USDC each
  dashboard  ${url}/dashboard  ("Sign in as the demo merchant": no wallet needed)
  history    ${history.payments.length} payments by ${payers} payers (${history.revenue}), /l/${history.soldOutSlug} sold out
  webhooks   ${history.webhookUrl ? `${history.webhookUrl} (${history.deliveredWebhooks} deliveries, signatures verified)` : 'not set (PUBLIC_URL is not on loopback)'}

Links:
${demo.links.map((l) => `  ${url}/l/${l.slug}  ${l.title} (${Money.formatUsdDecimal(l.priceUsd)}${l.session ? ` per ${l.session.unitType}, session only` : ''})`).join('\n')}
  ${url}/l/${history.soldOutSlug}  sold out (2 of 2)
  ${url}/api/examples/joke        withPayment GET ($0.01)
  ${url}/api/examples/summarize   withPayment POST ($0.02)
  ${url}/mcp                      MCP tools: fortune ($0.01), summarize ($0.02), word_count (free), demo, field_guide, quote (the links above)
  ${url}/api/examples/stream      withPayment SSE, per token over a session ($0.0001 a token)

Pay /l/demo, an MCP tool at /mcp, /l/demo-rpc (a paid JSON-RPC gateway) and /l/demo-session (per request) from a terminal, in this folder (anvil test key #1, never use it on a real chain; the home page shows these too):

${formatForTerminal(demo.commands).replace(/^(?=.)/gm, '  ')}

Press Ctrl-C to stop.
`)

  demo.receiver.onEvent((event) =>
    console.log(
      `webhook    ${event.type} ${event.amountUsd ? Money.formatUsdDecimal(event.amountUsd) : ''} ${event.verified ? '(signature verified)' : '(BAD SIGNATURE)'}`,
    ),
  )
  const shutdown = async () => {
    await demo.stop()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown())
  process.on('SIGTERM', () => void shutdown())
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
