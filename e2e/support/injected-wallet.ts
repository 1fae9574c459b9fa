// Test double of a browser wallet extension: an EIP-1193 provider injected into every page and
// announced through EIP-6963, like MetaMask or Rabby would be. The page-side provider forwards each
// request to this Node process, which signs with a private key (viem) and passes everything else to
// the test chain's RPC. Knobs make it refuse the way real wallets do (4001 rejection, 4200 unsupported).
import type { BrowserContext, Page } from '@playwright/test'
import { createWalletClient, http, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { localChain } from '@/scripts/chain/deploy'

export type InjectedWalletOptions = {
  /** The test chain's RPC; reads and broadcasts go there. */
  rpcUrl: string
  /** The chain the test chain really is. */
  chainId: number
  privateKey: Hex
  name?: string
  rdns?: string
  /** The network the wallet starts on; another id makes the checkout switch (and add) the chain. */
  startChainId?: number
}

export type InjectedWallet = {
  address: Hex
  /** Every JSON-RPC method the page asked for, in order. */
  calls: string[]
  /** Chains the page asked the wallet to add (wallet_addEthereumChain params). */
  addedChains: unknown[]
  knobs: {
    /** Answer signature and transaction requests with EIP-1193 4001 (user rejected). */
    rejectSignatures: boolean
    /** Answer eth_signTypedData_v4 with 4200 (unsupported), like a wallet without typed-data signing. */
    refuseTypedData: boolean
    /** Wait this long before answering a typed-data signature (a payer who takes their time). */
    signDelayMs: number
    /** Answer wallet_switchEthereumChain / wallet_addEthereumChain with 4001. */
    rejectChainSwitch: boolean
  }
}

type Reply = { result?: unknown; error?: { code: number; message: string }; events?: Array<{ event: string; data: unknown }> }

const icon = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#7c3aed"/><path d="M9 11h14v3H9zm0 6h10v3H9z" fill="#fff"/></svg>')}`

/** Installs the wallet in every page of `target` (a context or a single page). */
export async function installInjectedWallet(target: BrowserContext | Page, options: InjectedWalletOptions): Promise<InjectedWallet> {
  const account = privateKeyToAccount(options.privateKey)
  const walletClient = createWalletClient({ account, chain: localChain(options.rpcUrl, options.chainId), transport: http(options.rpcUrl) })
  const known = new Set([1, options.startChainId ?? options.chainId])
  let chainId = options.startChainId ?? options.chainId
  let connected = false
  let rpcId = 0
  const wallet: InjectedWallet = {
    address: account.address,
    calls: [],
    addedChains: [],
    knobs: { rejectSignatures: false, refuseTypedData: false, signDelayMs: 0, rejectChainSwitch: false },
  }
  const hex = (n: number) => `0x${n.toString(16)}`
  const rejected: Reply = { error: { code: 4001, message: 'User rejected the request.' } }

  async function forward(method: string, params: unknown): Promise<Reply> {
    const response = await fetch(options.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params: params ?? [] }),
    })
    const body = (await response.json()) as { result?: unknown; error?: { code: number; message: string } }
    return body.error ? { error: body.error } : { result: body.result }
  }

  async function handle(method: string, params: unknown): Promise<Reply> {
    wallet.calls.push(method)
    const args = (params ?? []) as unknown[]
    switch (method) {
      case 'eth_requestAccounts':
        connected = true
        return { result: [account.address], events: [{ event: 'connect', data: { chainId: hex(chainId) } }] }
      case 'eth_accounts':
        return { result: connected ? [account.address] : [] }
      case 'eth_chainId':
        return { result: hex(chainId) }
      case 'net_version':
        return { result: String(chainId) }
      case 'wallet_requestPermissions':
      case 'wallet_revokePermissions':
        if (method === 'wallet_revokePermissions') connected = false
        return { result: null }
      case 'wallet_switchEthereumChain': {
        if (wallet.knobs.rejectChainSwitch) return rejected
        const requested = Number(BigInt((args[0] as { chainId: string }).chainId))
        if (!known.has(requested))
          return {
            error: {
              code: 4902,
              message: `Unrecognized chain ID ${hex(requested)}. Try adding the chain using wallet_addEthereumChain first.`,
            },
          }
        chainId = requested
        return { result: null, events: [{ event: 'chainChanged', data: hex(chainId) }] }
      }
      case 'wallet_addEthereumChain': {
        if (wallet.knobs.rejectChainSwitch) return rejected
        const chain = args[0] as { chainId: string }
        wallet.addedChains.push(chain)
        known.add(Number(BigInt(chain.chainId)))
        chainId = Number(BigInt(chain.chainId))
        return { result: null, events: [{ event: 'chainChanged', data: hex(chainId) }] }
      }
      case 'eth_signTypedData_v4': {
        if (wallet.knobs.refuseTypedData)
          return { error: { code: 4200, message: 'The requested method eth_signTypedData_v4 is not supported by this wallet.' } }
        if (wallet.knobs.signDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, wallet.knobs.signDelayMs))
        if (wallet.knobs.rejectSignatures) return rejected
        const [address, json] = args as [string, string]
        if (address.toLowerCase() !== account.address.toLowerCase()) return { error: { code: 4100, message: 'Unknown account.' } }
        return { result: await account.signTypedData(JSON.parse(json) as Parameters<typeof account.signTypedData>[0]) }
      }
      case 'personal_sign':
        if (wallet.knobs.rejectSignatures) return rejected
        return { result: await account.signMessage({ message: { raw: args[0] as Hex } }) }
      case 'eth_sendTransaction': {
        if (wallet.knobs.rejectSignatures) return rejected
        const tx = args[0] as { to: Hex; data?: Hex; value?: Hex }
        return { result: await walletClient.sendTransaction({ to: tx.to, data: tx.data, value: tx.value ? BigInt(tx.value) : 0n }) }
      }
      default:
        return forward(method, params)
    }
  }

  await target.exposeFunction('__testWalletRequest', async (method: string, params: unknown) => {
    try {
      return await handle(method, params)
    } catch (error) {
      return { error: { code: -32603, message: error instanceof Error ? error.message : String(error) } }
    }
  })
  await target.addInitScript(
    ({ name, rdns, icon }) => {
      const listeners: Record<string, Array<(data: unknown) => void>> = {}
      const emit = (event: string, data: unknown) => (listeners[event] ?? []).slice().forEach((listener) => listener(data))
      const bridge = (window as unknown as { __testWalletRequest: (method: string, params: unknown) => Promise<Reply> }).__testWalletRequest
      const provider = {
        async request({ method, params }: { method: string; params?: unknown }) {
          const reply = await bridge(method, params ?? null)
          for (const { event, data } of reply.events ?? []) setTimeout(() => emit(event, data), 0)
          if (reply.error) throw Object.assign(new Error(reply.error.message), { code: reply.error.code })
          return reply.result
        },
        on(event: string, listener: (data: unknown) => void) {
          ;(listeners[event] ??= []).push(listener)
          return provider
        },
        removeListener(event: string, listener: (data: unknown) => void) {
          listeners[event] = (listeners[event] ?? []).filter((l) => l !== listener)
          return provider
        },
      }
      const detail = Object.freeze({ info: Object.freeze({ uuid: crypto.randomUUID(), name, icon, rdns }), provider })
      const announce = () => window.dispatchEvent(new CustomEvent('eip6963:announceProvider', { detail }))
      window.addEventListener('eip6963:requestProvider', announce)
      announce()
    },
    { name: options.name ?? 'Test Wallet', rdns: options.rdns ?? 'dev.tollgate.testwallet', icon },
  )
  return wallet
}
