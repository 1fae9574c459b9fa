// The core's outcome in the Payment scheme's JSON-RPC form, for both JSON-RPC transports (MCP, and the generic binding
// of service links): pay first as -32042/-32043/-32602 with fresh challenges, and the receipt a paid answer carries in
// `_meta["org.paymentauth/receipt"]` (the stored receipt with the challenge it paid, which the JSON-RPC form requires).
import * as Mcp from '@/lib/protocol/Mcp'
import type * as Receipt from '@/lib/protocol/Receipt'
import type * as Payments from '@/lib/store/payments'
import type { Outcome } from './types'

/** Pay first (or why the credential, whose challenge is `challengeId`, was refused) as a JSON-RPC error with its data. */
export function paymentRequiredError(outcome: Extract<Outcome<unknown>, { kind: 'payment-required' }>, challengeId: string | undefined) {
  const challenges = outcome.offers.challenges.map((issued) => issued.challenge)
  const error = Mcp.errorFor(outcome.problem, challenges, challengeId ? { challengeId } : {})
  const data = outcome.retryAfterSeconds ? { ...error.data, retryAfterSeconds: outcome.retryAfterSeconds } : error.data
  return { ...error, data }
}

/** `challengeId` is the credential's challenge: used when the stored receipt does not name one. */
export function jsonRpcReceipt(
  payment: Payments.Payment | null,
  receipt: Receipt.Receipt | null,
  challengeId: string | undefined,
): Mcp.ReceiptJson | null {
  if (!payment) {
    if (!receipt) return null
    return Mcp.receipt(receipt, typeof receipt.challengeId === 'string' ? receipt.challengeId : (challengeId ?? ''))
  }
  const stored = receipt ?? (payment.receipt as Receipt.Receipt)
  const paid = typeof stored.challengeId === 'string' ? stored.challengeId : (challengeId ?? payment.challengeId ?? '')
  try {
    return Mcp.receipt(stored, paid)
  } catch {
    // A stored receipt the JSON form refuses must not turn a paid call into an error: the plain facts still are one.
    return {
      status: 'success',
      method: payment.method,
      timestamp: payment.createdAt.toISOString(),
      challengeId: paid,
      reference: payment.reference,
    }
  }
}
