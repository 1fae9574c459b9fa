// PRIVATE_KEY=0x… TOKEN_ADDRESS=0x… node scripts/pay-with-x402.mjs [url]
import { wrapFetchWithPayment, x402Client } from '@x402/fetch'
import { ExactEvmScheme } from '@x402/evm/exact/client'
import { privateKeyToAccount } from 'viem/accounts'

const url = process.argv[2] ?? 'http://127.0.0.1:3000/l/demo'
const network = 'eip155:31337'
const client = new x402Client()
  .register(network, new ExactEvmScheme(privateKeyToAccount(process.env.PRIVATE_KEY)))
  .setSpendControls({ allowedAssets: [{ network, asset: process.env.TOKEN_ADDRESS }] })
const response = await wrapFetchWithPayment(fetch, client)(url)
console.log(response.status, response.headers.get('payment-response'), await response.text())
