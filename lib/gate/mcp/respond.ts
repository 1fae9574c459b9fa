// The core's outcome -> the JSON-RPC answer of one payable MCP operation (mpp-specs draft-payment-transport-mcp-00):
// pay first -32042, a refused credential -32043 with fresh challenges, an unreadable one -32602 (data kept); other
// refusals an error whose data is `{ httpStatus, problem }`; paid, a result with `_meta["org.paymentauth/receipt"]`.
// Once money moved the answer is always a result with the receipt (an `isError` one when the operation failed):
// an error would make mppx's McpClient pay again.
import type { OperationResult, PayInput, PayResult } from '@/lib/mcp/registry'
import * as Mcp from '@/lib/protocol/Mcp'
import type * as Payments from '@/lib/store/payments'
import { jsonRpcReceipt, paymentRequiredError } from '../json-rpc-outcome'
import type { Gate, Outcome } from '../types'

export function respond(gate: Gate, input: PayInput, outcome: Outcome<OperationResult>): PayResult {
  switch (outcome.kind) {
    case 'payment-required':
      return { kind: 'error', ...paymentRequiredError(outcome, input.credential?.challenge.id) }
    case 'refused': {
      const { code, message, data } = Mcp.refused(outcome)
      return { kind: 'error', code, message, data }
    }
    case 'delivered': {
      // A method's own ledger (a session) has a receipt and no payment row; a grant has neither.
      const receipt = jsonRpcReceipt(outcome.payment, outcome.receipt, input.credential?.challenge.id)
      return receipt ? { kind: 'result', result: outcome.value, receipt } : { kind: 'result', result: outcome.value }
    }
    case 'acknowledged':
      return {
        kind: 'result',
        result: noticeResult(input, 'The payment was updated.'),
        receipt: jsonRpcReceipt(null, outcome.receipt, input.credential?.challenge.id)!,
      }
    case 'undelivered': {
      const result = failedResult(input, paidButFailed(gate, outcome.payment))
      const receipt = jsonRpcReceipt(outcome.payment, outcome.receipt, input.credential?.challenge.id)
      return receipt ? { kind: 'result', result, receipt } : { kind: 'result', result }
    }
  }
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
