// Demo mode only: the demo merchant as an EIP-1193 provider, so "Sign in as the demo merchant" runs
// the very same sign-in code as a wallet extension. Its one signature, personal_sign, is made by the
// local node (anvil account #0) through the server's demo signer.
import { hexToString, isHex } from 'viem'
import { SignerRefusedError, type Eip1193Provider } from './wallet-sign-in'

export function demoMerchantProvider(address: string): Eip1193Provider {
  return {
    async request({ method, params }) {
      if (method === 'eth_requestAccounts' || method === 'eth_accounts') return [address]
      if (method !== 'personal_sign') throw Object.assign(new Error(`${method} is not supported`), { code: 4200 })
      const [data] = params ?? []
      if (typeof data !== 'string' || !isHex(data)) throw new SignerRefusedError('Nothing to sign.')
      const response = await fetch('/api/dashboard/auth/demo-signature', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: hexToString(data) }),
      })
      const body = await response.json().catch(() => null)
      if (!response.ok || typeof body?.signature !== 'string')
        throw new SignerRefusedError(body?.error?.message ?? 'The demo signer did not answer; is `npm run demo` still running?')
      return body.signature
    },
  }
}
