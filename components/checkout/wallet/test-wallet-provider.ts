// Demo mode only (local chain): a built-in EIP-1193 wallet for anvil's public test account #1, so a
// newcomer can pay without installing an extension. anvil keeps its dev accounts unlocked, so the
// local node itself signs with that account's well-known key: no key and no signing code in the page.

/** anvil's default account #1 (a published test account that only ever holds local test funds). */
export const testWalletAddress = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

type RequestArguments = { method: string; params?: unknown }
type Listener = (...args: unknown[]) => void

export type TestWalletProvider = {
  request(args: RequestArguments): Promise<unknown>
  on(event: string, listener: Listener): void
  removeListener(event: string, listener: Listener): void
}

class ProviderRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message)
  }
}

/** The account a signing request names, or undefined for requests that sign nothing. */
function signerOf(method: string, params: unknown): string | null | undefined {
  const args = Array.isArray(params) ? params : []
  if (method === 'eth_signTypedData_v4') return typeof args[0] === 'string' ? args[0] : null
  if (method === 'personal_sign') return typeof args[1] === 'string' ? args[1] : null
  if (method === 'eth_sendTransaction' || method === 'eth_signTransaction') return (args[0] as { from?: string } | undefined)?.from ?? null
  if (method === 'eth_sign' || method.startsWith('eth_signTypedData')) return null
  return undefined
}

export function createTestWalletProvider(options: { rpcUrl: string; chainId: number }): TestWalletProvider {
  const chainHex = `0x${options.chainId.toString(16)}`
  let rpcId = 0

  async function forward(method: string, params: unknown): Promise<unknown> {
    const response = await fetch(options.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params: params ?? [] }),
    })
    const body = (await response.json()) as { result?: unknown; error?: { code: number; message: string } }
    if (body.error) throw new ProviderRpcError(body.error.code, body.error.message)
    return body.result
  }

  return {
    async request({ method, params }) {
      switch (method) {
        case 'eth_requestAccounts':
        case 'eth_accounts':
          return [testWalletAddress]
        case 'eth_chainId':
          return chainHex
        case 'wallet_switchEthereumChain': {
          const [target] = (params as Array<{ chainId?: string }> | undefined) ?? []
          if (target?.chainId?.toLowerCase() === chainHex) return null
          throw new ProviderRpcError(4902, 'The test wallet only knows the local demo chain.')
        }
        case 'wallet_requestPermissions':
        case 'wallet_revokePermissions':
          return []
        default:
          // Signatures only ever for account #1: the node has other unlocked accounts (the merchant's).
          const signer = signerOf(method, params)
          if (signer !== undefined && signer?.toLowerCase() !== testWalletAddress.toLowerCase())
            throw new ProviderRpcError(4100, 'The test wallet signs for its own account only.')
          return forward(method, params)
      }
    },
    // The test wallet never changes account or chain, so it has no events to emit.
    on() {},
    removeListener() {},
  }
}
