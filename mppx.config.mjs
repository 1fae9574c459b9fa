// Configuration for the mppx CLI (`npx mppx <url> -c mppx.config.mjs`) so it can pay Tollgate's
// local demo token: the CLI only knows the EIP-712 name/version of well-known USDC deployments.
// MPPX_PRIVATE_KEY names the paying account; TOKEN_NAME / TOKEN_VERSION override the token domain.
import { evm } from 'mppx/client'
import { privateKeyToAccount } from 'viem/accounts'

const privateKey = process.env.MPPX_PRIVATE_KEY
if (!privateKey) throw new Error('set MPPX_PRIVATE_KEY to the paying account key')

const config = {
  methods: [
    evm({
      account: privateKeyToAccount(privateKey),
      authorization: { name: process.env.TOKEN_NAME ?? 'USD Coin', version: process.env.TOKEN_VERSION ?? '2' },
      // A spending cap, so a mistyped URL cannot cost more than this many dollars.
      maxAmount: process.env.MPPX_MAX_AMOUNT ?? '1',
      decimals: 6,
    }),
  ],
}

export default config
