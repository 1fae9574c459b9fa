// The core's outcome -> the JSON-RPC answer of one payable MCP operation (mpp-specs draft-payment-transport-mcp-00):
// pay first -32042, a refused credential -32043 with fresh challenges, an unreadable one -32602 (data kept); other
// refusals an error whose data is `{ httpStatus, problem }`; paid, a result with `_meta["org.paymentauth/receipt"]`.
// Once money moved the answer is always a result with the receipt (an `isError` one when the operation failed):
// an error would make mppx's McpClient pay again.
import type { OperationResult, PayInput, PayResult } from '@/lib/mcp/registry'
import * as Mcp from '@/lib/protocol/Mcp'
import type * as Receipt from '@/lib/protocol/Receipt'
import type * as Payments from '@/lib/store/payments'
import type { Gate, Outcome } from '../types'

/** Implementation-defined JSON-RPC server error (-32000…-32099) for a refusal that is not about the payment itself. */
export const refusedCode = -32000

export function respond(gate: Gate, input: PayInput, outcome: Outcome<OperationResult>): PayResult {
  switch (outcome.kind) {
    case 'payment-required': {
      const challenges = outcome.offers.challenges.map((issued) => issued.challenge)
      const about = input.credential ? { challengeId: input.credential.challenge.id } : {}
      const error = Mcp.errorFor(outcome.problem, challenges, about)
      const data = outcome.retryAfterSeconds ? { ...error.data, retryAfterSeconds: outcome.retryAfterSeconds } : error.data
      return { kind: 'error', ...error, data }
    }
    case 'refused': {
      const problem = { type: 'about:blank', title: outcome.title, status: outcome.status, detail: outcome.detail }
      // 503 is the payment network or configuration failing: the spec's "internal payment error". The rest
      // (429 too many requests, 410 sold out or closed) are answers about the request, never -32603.
      const code = outcome.status >= 500 ? Mcp.internalErrorCode : refusedCode
      const retry = outcome.retryAfterSeconds ? { retryAfterSeconds: outcome.retryAfterSeconds } : {}
      return { kind: 'error', code, message: outcome.title, data: { httpStatus: outcome.status, problem, ...retry } }
    }
    case 'delivered':
      if (outcome.payment) return { kind: 'result', result: outcome.value, receipt: receiptOf(outcome.payment, outcome.receipt, input) }
      // A method's own ledger (a session) has a receipt and no payment row; a grant has neither.
      return outcome.receipt
        ? { kind: 'result', result: outcome.value, receipt: ledgerReceipt(outcome.receipt, input) }
        : { kind: 'result', result: outcome.value }
    case 'acknowledged':
      return { kind: 'result', result: noticeResult(input, 'The payment was updated.'), receipt: ledgerReceipt(outcome.receipt, input) }
    case 'undelivered': {
      const result = failedResult(input, paidButFailed(gate, outcome.payment))
      if (outcome.payment) return { kind: 'result', result, receipt: receiptOf(outcome.payment, outcome.receipt, input) }
      return outcome.receipt ? { kind: 'result', result, receipt: ledgerReceipt(outcome.receipt, input) } : { kind: 'result', result }
    }
  }
}

/** The MCP receipt of a payment kept in a method's own ledger (no payment row). */
function ledgerReceipt(receipt: Receipt.Receipt, input: PayInput): Mcp.ReceiptJson {
  const challengeId = typeof receipt.challengeId === 'string' ? receipt.challengeId : (input.credential?.challenge.id ?? '')
  return Mcp.receipt(receipt, challengeId)
}

/** What a payer reads when the paid operation failed: where the receipt is, and how to get it without paying again. */
export function paidButFailed(gate: Gate, payment: Payments.Payment | null): string {
  if (!payment) return 'The operation failed. Try again later.'
  const receipt = new URL(`/receipts/${payment.id}`, gate.config.publicUrl).toString()
  return `Paid, but the operation failed: your payment settled (receipt ${receipt}). Send the same call with the same credential again, before its challenge expires, to get the result without paying again.`
}

/** The answer of a failed operation, in the shape its method's result takes. */
export function failedResult(input: Pick<PayInput, 'method' | 'name'>, text: string): OperationResult {
  if (input.method === 'tools/call') return { content: [{ type: 'text', text }], isError: true }
  return noticeResult(input, text)
}

/** A short text answer in the shape the method's result takes. */
function noticeResult(input: Pick<PayInput, 'method' | 'name'>, text: string): OperationResult {
  if (input.method === 'tools/call') return { content: [{ type: 'text', text }] }
  if (input.method === 'resources/read') return { contents: [{ uri: input.name, mimeType: 'text/plain', text }] }
  return { description: text, messages: [] }
}

/** The MCP receipt of a payment: its stored receipt with the challenge it paid (required here). */
function receiptOf(payment: Payments.Payment, receipt: Receipt.Receipt | null, input: PayInput): Mcp.ReceiptJson {
  const stored = receipt ?? (payment.receipt as Receipt.Receipt)
  const challengeId =
    typeof stored.challengeId === 'string' ? stored.challengeId : (input.credential?.challenge.id ?? payment.challengeId ?? '')
  try {
    return Mcp.receipt(stored, challengeId)
  } catch {
    // A stored receipt the MCP form refuses must not turn a paid call into an error: the plain facts still are one.
    return {
      status: 'success',
      method: payment.method,
      timestamp: payment.createdAt.toISOString(),
      challengeId,
      reference: payment.reference,
    }
  }
}
