// Display helpers shared by dashboard components (pure, usable on server and client).
import { formatUnits, parseUnits } from 'viem'
import * as Money from '@/lib/money'

export function usd(amount: string | null | undefined): string {
  if (!amount) return '$0.00'
  try {
    return Money.formatUsdDecimal(amount)
  } catch {
    return `$${amount}`
  }
}

/** The sum of decimal USD amounts, exactly at micro-dollar precision (how prices are kept). */
export function addUsd(...amounts: string[]): string {
  return formatUnits(
    amounts.reduce((sum, amount) => sum + parseUnits(amount, 6), 0n),
    6,
  )
}

export function shortHex(value: string | null | undefined, head = 6, tail = 4): string {
  if (!value) return '—'
  return value.length <= head + tail + 1 ? value : `${value.slice(0, head)}…${value.slice(-tail)}`
}

const dateTime = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })
const dateOnly = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' })

/** Dates are shown in UTC with the zone named, so server and browser render the same text. */
export function when(date: Date | string | null | undefined): string {
  if (!date) return '—'
  return `${dateTime.format(new Date(date))} UTC`
}

export function day(date: Date | string): string {
  return dateOnly.format(new Date(date))
}

export const railLabel: Record<string, string> = { evm: 'USDC (on-chain)', stripe: 'Card (Stripe)' }
export const protocolLabel: Record<string, string> = { mpp: 'MPP', x402: 'x402', mcp: 'MCP', webhook: 'Checkout (card)' }

const explorers: Record<number, string> = {
  1: 'https://etherscan.io',
  8453: 'https://basescan.org',
  84532: 'https://sepolia.basescan.org',
  10: 'https://optimistic.etherscan.io',
  42161: 'https://arbiscan.io',
  137: 'https://polygonscan.com',
}

/** A block explorer link for a transaction, when the chain has a well-known one. */
export function txUrl(chainId: unknown, hash: string): string | null {
  const base = typeof chainId === 'number' ? explorers[chainId] : undefined
  return base && /^0x[0-9a-fA-F]{64}$/.test(hash) ? `${base}/tx/${hash}` : null
}
