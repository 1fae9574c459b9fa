// The receipt a JSON-RPC answer carries in `_meta["org.paymentauth/receipt"]` (MCP's `result._meta`, or the root
// `_meta` of the generic binding): the stored receipt of the payment (or of a method's own ledger) with the
// challenge it paid, which the JSON-RPC form requires.
import * as Mcp from '@/lib/protocol/Mcp'
import type * as Receipt from '@/lib/protocol/Receipt'
import type * as Payments from '@/lib/store/payments'

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
