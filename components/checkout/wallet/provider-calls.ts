// The few EIP-1193 requests the wallet path makes, straight to the connected wallet's provider:
// every read and signature goes through the payer's own wallet (no RPC of ours in the browser).
import * as Wire from '@/lib/checkout/wire'

export type Eip1193Provider = { request(args: { method: string; params?: unknown }): Promise<unknown> }

export async function chainIdOf(provider: Eip1193Provider): Promise<number> {
  return Number(BigInt((await provider.request({ method: 'eth_chainId' })) as string))
}

export async function tokenBalance(provider: Eip1193Provider, token: Wire.Hex, account: Wire.Hex): Promise<bigint> {
  const result = await provider.request({ method: 'eth_call', params: [{ to: token, data: Wire.balanceOfData(account) }, 'latest'] })
  return Wire.decodeUint256(String(result))
}

/** eth_signTypedData_v4: the wallet shows the typed data and returns a 65-byte (or contract-wallet) signature. */
export async function signTypedData(provider: Eip1193Provider, account: Wire.Hex, typedDataJson: string): Promise<Wire.Hex> {
  const signature = await provider.request({ method: 'eth_signTypedData_v4', params: [account, typedDataJson] })
  if (typeof signature !== 'string' || !/^0x(?:[0-9a-fA-F]{2})+$/.test(signature))
    throw new Error('The wallet returned something that is not a signature.')
  return signature as Wire.Hex
}

/** Sends `transfer(to, amount)` on the token from the payer's account; the wallet picks gas and fees. */
export async function sendTransfer(
  provider: Eip1193Provider,
  from: Wire.Hex,
  token: Wire.Hex,
  to: Wire.Hex,
  amount: bigint,
): Promise<Wire.Hex> {
  const hash = await provider.request({
    method: 'eth_sendTransaction',
    params: [{ from, to: token, data: Wire.transferData(to, amount), value: '0x0' }],
  })
  if (typeof hash !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(hash)) throw new Error('The wallet did not return a transaction hash.')
  return hash as Wire.Hex
}

/** Polls for the transaction's receipt; true when it succeeded, false when it reverted. */
export async function waitForReceipt(
  provider: Eip1193Provider,
  hash: Wire.Hex,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<boolean> {
  const deadline = Date.now() + (options.timeoutMs ?? 180_000)
  for (;;) {
    const receipt = (await provider.request({ method: 'eth_getTransactionReceipt', params: [hash] })) as { status?: string } | null
    if (receipt?.status) return receipt.status === '0x1'
    if (Date.now() > deadline)
      throw new Error(`The transfer ${hash} was not confirmed in time. It may still go through; check your wallet.`)
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1_000))
  }
}
