// The generic JSON-RPC binding of the HTTP transport (mpp-specs draft-payment-transport-mcp-00, root-level `_meta`),
// for service links in front of JSON-RPC APIs: a client that cannot read HTTP 402 sends `_meta` in its request and
// gets pay-first as a JSON-RPC error (-32042 with the challenges, -32043 for a refused credential, -32602 for an
// unreadable one) in an HTTP 200, pays with the credential in `_meta`, and finds the receipt in the answer's root
// `_meta` (and in `Payment-Receipt`). The upstream gets the request without the payment metadata, and its answer
// comes back as it was, failures included (after success, a failure charges nothing and is a JSON-RPC error).
import { joinChunks } from '@/lib/http/read-body'
import * as JsonRpcPayment from '@/lib/protocol/JsonRpcPayment'
import * as Mcp from '@/lib/protocol/Mcp'
import { jsonRpcReceipt, paymentRequiredError } from '../json-rpc-outcome'
import type { DecisionInput, Gate, Outcome, PricedResource } from '../types'
import { respond } from './respond'

/** The largest upstream answer that gets the receipt in its `_meta`; a larger one streams on with the header only. */
const maxAnswerBytes = 4 * 1024 * 1024

/** The request read as the JSON-RPC binding, or null when it keeps the HTTP binding (see JsonRpcPayment). */
export function readJsonRpcCall(body: Uint8Array | null): JsonRpcPayment.PaymentRequest | null {
  if (!body || body.byteLength === 0) return null
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body)
  } catch {
    return null
  }
  return JsonRpcPayment.readPaymentRequest(text)
}

/** The core's input for the call: the credential from `_meta` when it holds one (else the headers'), and the bound call. */
export function jsonRpcDecisionInput(http: DecisionInput, call: JsonRpcPayment.PaymentRequest): DecisionInput {
  const body = new TextEncoder().encode(call.boundCall)
  if (call.malformed) return { ...http, body, payment: { kind: 'malformed', problem: call.malformed } }
  if (call.credential) return { ...http, body, payment: { kind: 'mpp', credential: call.credential } }
  return { ...http, body }
}

/** The answer to a request in the JSON-RPC binding. */
export async function respondJsonRpc(
  gate: Gate,
  request: Request,
  resource: PricedResource,
  call: JsonRpcPayment.PaymentRequest,
  outcome: Outcome<Response>,
): Promise<Response> {
  switch (outcome.kind) {
    case 'payment-required':
      return jsonRpcError(call.id, paymentRequiredError(outcome, call.credential?.challenge.id), outcome.retryAfterSeconds)
    case 'refused':
      return jsonRpcError(call.id, Mcp.refused(outcome), outcome.retryAfterSeconds)
    case 'delivered': {
      const response = await respond(gate, request, resource, outcome)
      const receipt = jsonRpcReceipt(outcome.payment, outcome.receipt, call.credential?.challenge.id)
      return receipt ? withRootReceipt(response, receipt) : response
    }
    default:
      // A service call is delivered even when its upstream failed (the upstream's answer, with the receipt and a
      // retry grant when it was paid): `undelivered` and `acknowledged` do not occur here; HTTP answers them.
      return respond(gate, request, resource, outcome)
  }
}

/** A refusal before the payment decision (a call that cannot be priced, a closed link) in the binding's form. */
export function jsonRpcProblem(call: JsonRpcPayment.PaymentRequest, status: number, title: string, detail: string): Response {
  if (status === 400)
    return jsonRpcError(call.id, {
      code: -32600,
      message: 'Invalid Request',
      data: { httpStatus: 400, problem: { type: 'about:blank', title, status, detail } },
    })
  return jsonRpcError(call.id, Mcp.refused({ status, title, detail }))
}

function jsonRpcError(id: JsonRpcPayment.JsonRpcId, error: Mcp.ErrorObject<unknown>, retryAfterSeconds?: number): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' }
  if (retryAfterSeconds) headers['retry-after'] = String(retryAfterSeconds)
  return new Response(JSON.stringify({ jsonrpc: '2.0', id, error }), { status: 200, headers })
}

/**
 * The upstream's JSON-RPC answer with `_meta["org.paymentauth/receipt"]` at its root, inserted as text so every
 * byte of the answer stays as the upstream sent it. Answers that are not one JSON-RPC response object (a batch,
 * an error page, a compressed or oversized body) pass unchanged: `Payment-Receipt` carries the receipt.
 */
async function withRootReceipt(response: Response, receipt: Mcp.ReceiptJson): Promise<Response> {
  const type = response.headers.get('content-type')?.split(';')[0]!.trim().toLowerCase()
  const encoding = response.headers.get('content-encoding')
  const length = Number(response.headers.get('content-length') ?? 0)
  if (
    !response.body ||
    (type !== 'application/json' && !type?.endsWith('+json')) ||
    (encoding && encoding !== 'identity') ||
    length > maxAnswerBytes
  )
    return response
  const read = await readUpTo(response.body, maxAnswerBytes)
  if ('stream' in read) return new Response(read.stream, response)
  const answer = insertReceipt(read.bytes, receipt)
  const headers = new Headers(response.headers)
  headers.delete('content-length')
  return new Response(answer ?? read.bytes, { status: response.status, statusText: response.statusText, headers })
}

function insertReceipt(bytes: Uint8Array, receipt: Mcp.ReceiptJson): Uint8Array<ArrayBuffer> | null {
  let text: string
  let value: unknown
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    value = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  const answer = value as Record<string, unknown>
  // An upstream that already answers `_meta` keeps it; a second member of the same name would be ambiguous.
  if (answer.jsonrpc !== '2.0' || Object.hasOwn(answer, '_meta') || !(Object.hasOwn(answer, 'result') || Object.hasOwn(answer, 'error')))
    return null
  const open = text.indexOf('{')
  const meta = JSON.stringify({ [Mcp.receiptMetaKey]: receipt })
  return new TextEncoder().encode(`${text.slice(0, open + 1)}"_meta":${meta},${text.slice(open + 1)}`)
}

type Read = { bytes: Uint8Array<ArrayBuffer> } | { stream: ReadableStream<Uint8Array> }

/** A body read whole when it is at most `limit` bytes; otherwise a stream of all of it (what was read, then the rest). */
async function readUpTo(body: ReadableStream<Uint8Array>, limit: number): Promise<Read> {
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return { bytes: joinChunks(chunks, size) }
    chunks.push(value)
    size += value.byteLength
    if (size > limit) break
  }
  return {
    stream: new ReadableStream<Uint8Array>({
      async pull(controller) {
        const chunk = chunks.shift()
        if (chunk) return controller.enqueue(chunk)
        const next = await reader.read()
        if (next.done) controller.close()
        else controller.enqueue(next.value)
      },
      cancel: (reason) => reader.cancel(reason),
    }),
  }
}
