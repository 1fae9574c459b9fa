// Browser-safe: what went wrong in a wallet, in words a payer can act on. EIP-1193 / JSON-RPC codes
// are read from the error and every cause beneath it (viem and wagmi wrap the provider's error).

export type WalletErrorKind = 'rejected' | 'unsupported' | 'unknown-chain' | 'unauthorized' | 'disconnected' | 'other'

export type WalletError = { kind: WalletErrorKind; message: string }

const codes: Record<number, WalletErrorKind> = {
  4001: 'rejected',
  4100: 'unauthorized',
  4200: 'unsupported',
  4900: 'disconnected',
  4901: 'disconnected',
  4902: 'unknown-chain',
  [-32601]: 'unsupported',
}

export function classifyWalletError(error: unknown): WalletError {
  const seen = new Set<unknown>()
  let kind: WalletErrorKind = 'other'
  let detail = ''
  for (let e: unknown = error; e && typeof e === 'object' && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e)
    const { code, message, shortMessage, name } = e as { code?: unknown; message?: unknown; shortMessage?: unknown; name?: unknown }
    if (!detail && typeof shortMessage === 'string') detail = shortMessage
    if (!detail && typeof message === 'string') detail = message
    const byCode = typeof code === 'number' ? codes[code] : undefined
    if (byCode) {
      kind = byCode
      break
    }
    if (name === 'UserRejectedRequestError') {
      kind = 'rejected'
      break
    }
    if (
      typeof message === 'string' &&
      /method (?:is )?not (?:supported|found|implemented)|does not support|unsupported method/i.test(message)
    ) {
      kind = 'unsupported'
      break
    }
  }
  return { kind, message: messageFor(kind, detail) }
}

function messageFor(kind: WalletErrorKind, detail: string): string {
  switch (kind) {
    case 'rejected':
      return 'You declined the request in your wallet. Nothing was charged.'
    case 'unsupported':
      return 'Your wallet does not support this request.'
    case 'unknown-chain':
      return 'Your wallet does not know this network yet.'
    case 'unauthorized':
      return 'Your wallet has not authorised this site. Connect again and approve the connection.'
    case 'disconnected':
      return 'Your wallet is disconnected. Unlock it and connect again.'
    default:
      return detail ? `The wallet reported an error: ${detail.split('\n')[0]!.slice(0, 200)}` : 'The wallet reported an error.'
  }
}
