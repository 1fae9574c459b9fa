// Pays a session-priced URL per request from a terminal with the project's client (lib/client/session.ts):
// opens a payment channel on the first 402, makes N paid requests with one voucher each, closes the channel
// and prints every receipt.
//
//   PRIVATE_KEY=0x… RPC_URL=http://127.0.0.1:8545 npx tsx scripts/pay-with-session.ts <url> [requests]
import { formatUnits } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { createSessionClient } from '@/lib/client/session'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import * as Receipt from '@/lib/protocol/Receipt'

const [url, count = '3'] = process.argv.slice(2)
const key = process.env.PRIVATE_KEY
if (!url || !/^0x[0-9a-fA-F]{64}$/.test(key ?? '') || !/^[1-9][0-9]{0,3}$/.test(count)) {
  console.error('usage: PRIVATE_KEY=0x… RPC_URL=http://127.0.0.1:8545 npx tsx scripts/pay-with-session.ts <url> [requests (1-9999)]')
  process.exit(2)
}

const usdc = (amount: string) => `$${formatUnits(BigInt(amount), 6)}`
const describe = (receipt: EvmSession.Receipt.Receipt) =>
  `accepted ${usdc(receipt.acceptedCumulative)}, spent ${usdc(receipt.spent)}${receipt.txHash ? `, close tx ${receipt.txHash}` : ''}`

async function main() {
  const session = createSessionClient({
    account: privateKeyToAccount(key as `0x${string}`),
    rpcUrl: process.env.RPC_URL ?? 'http://127.0.0.1:8545',
  })
  for (let i = 1; i <= Number(count); i++) {
    const response = await session.fetch(url!)
    const header = response.headers.get(Receipt.headerName)
    const body = await response.text()
    if (!response.ok || !header) throw new Error(`request ${i} answered ${response.status}: ${body.slice(0, 300)}`)
    const receipt = EvmSession.Receipt.parse(Receipt.deserialize(header))
    if (i === 1) console.log(`channel ${receipt.channelId} opened`)
    console.log(`request ${i}: ${response.status} ${body.trim().slice(0, 120)}\n  receipt: ${describe(receipt)}`)
  }
  const { receipt, channel } = await session.close(url!)
  console.log(
    `closed: ${receipt ? describe(receipt) : 'no receipt'}; deposit ${usdc(String(channel.deposit))}, refunded ${usdc(String(channel.deposit - channel.spent))}`,
  )
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
