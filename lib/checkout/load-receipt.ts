// A payment as its receipt page shows it, looked up by the unguessable payment id.
import { getGate } from '@/lib/gate/runtime'
import * as LinkStore from '@/lib/store/links'
import * as Payments from '@/lib/store/payments'
import { chainInfo } from './chains'

export type ReceiptView = {
  id: string
  status: 'succeeded' | 'refunded'
  title: string | null
  amountUsd: string
  /** Base units of the token (evm) or cents (stripe). */
  amount: string
  token: { symbol: string; decimals: number } | null
  method: 'evm' | 'stripe'
  methodLabel: string
  reference: string
  explorerUrl: string | null
  payer: string | null
  paidAt: string
  /** `/l/{slug}` to open the resource again (a window grant lets the browser in). */
  linkPath: string | null
}

const paymentId = /^pay_[A-Za-z0-9_-]{16,64}$/

export async function loadReceipt(id: string, env: NodeJS.ProcessEnv = process.env): Promise<ReceiptView | null> {
  if (typeof id !== 'string' || !paymentId.test(id)) return null
  const gate = await getGate()
  const payment = await Payments.getById(gate.db, id)
  if (!payment) return null
  const link = payment.linkId ? await LinkStore.getById(gate.db, payment.linkId) : null
  const chainId = typeof payment.receipt.chainId === 'number' ? payment.receipt.chainId : gate.evm?.config.chainId
  const chain =
    payment.method === 'evm' && chainId
      ? chainInfo({ chainId, publicRpcUrl: env.EVM_PUBLIC_RPC_URL, explorerUrl: env.EVM_EXPLORER_URL })
      : null
  const sameToken = gate.evm && payment.currency.toLowerCase() === gate.evm.config.tokenAddress.toLowerCase()
  return {
    id: payment.id,
    status: payment.status,
    title: link?.title ?? null,
    amountUsd: payment.amountUsd,
    amount: payment.amount,
    token: payment.method === 'evm' && sameToken ? { symbol: 'USDC', decimals: gate.evm!.config.tokenDecimals } : null,
    method: payment.method,
    methodLabel: payment.method === 'evm' ? `USDC on ${chain?.name ?? 'chain'}${payment.protocol === 'x402' ? ' (x402)' : ''}` : 'Card',
    reference: payment.reference,
    explorerUrl: chain?.explorerUrl ? `${chain.explorerUrl}/tx/${payment.reference}` : null,
    payer: payment.payer,
    paidAt: payment.createdAt.toISOString(),
    linkPath: link ? `/l/${link.slug}` : null,
  }
}
