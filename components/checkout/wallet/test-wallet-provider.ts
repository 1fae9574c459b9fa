// Demo mode only (local chain): an in-page EIP-1193 wallet holding anvil's public test account #1,
// so a newcomer can pay without installing an extension. Reads go to the local RPC; typed data is
// signed in the page. The signer code loads on first signature, not with the checkout.

/** anvil's default account #1: a published test key that only ever holds local test funds. */
const anvilAccount1 = {
  address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  privateKey: '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
} as const

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

export function createTestWalletProvider(options: { rpcUrl: string; chainId: number }): TestWalletProvider {
  const listeners = new Map<string, Set<Listener>>()
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
          return [anvilAccount1.address]
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
        case 'eth_signTypedData_v4': {
          const [address, json] = params as [string, string]
          if (address.toLowerCase() !== anvilAccount1.address.toLowerCase()) throw new ProviderRpcError(4100, 'Unknown account.')
          const { privateKeyToAccount } = await import('viem/accounts')
          const typedData = JSON.parse(json) as Parameters<ReturnType<typeof privateKeyToAccount>['signTypedData']>[0]
          return privateKeyToAccount(anvilAccount1.privateKey).signTypedData(typedData)
        }
        case 'eth_sendTransaction':
        case 'personal_sign':
        case 'eth_sign':
          throw new ProviderRpcError(4200, `The test wallet does not support ${method}.`)
        default:
          return forward(method, params)
      }
    },
    on(event, listener) {
      if (!listeners.has(event)) listeners.set(event, new Set())
      listeners.get(event)!.add(listener)
    },
    removeListener(event, listener) {
      listeners.get(event)?.delete(listener)
    },
  }
}
