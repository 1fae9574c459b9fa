// The HTTP transport over the gate's core: read the request into the core's input, decide, answer.
import { decide, type DecideOptions } from '../core/decide'
import type { Deliver, Gate, Paid, PricedResource } from '../types'
import { decisionInput } from './payment-input'
import { respond } from './respond'

/**
 * Produces the paid-for response. `payment` is null when an access grant (not a new payment) unlocked it, or a
 * method's own ledger took the payment (`paid.accepted`: a session voucher, whose channel a stream meters).
 */
export type HttpDeliver = (payment: Paid['payment'], paid: Paid) => Response | Promise<Response>

export async function handlePayment(
  gate: Gate,
  request: Request,
  resource: PricedResource,
  deliver: HttpDeliver,
  body: Uint8Array | null = null,
  options: DecideOptions = {},
): Promise<Response> {
  const outcome = await decide(gate, resource, decisionInput(request, resource, body), httpDelivery(deliver), options)
  return respond(gate, request, resource, outcome)
}

/** A response of 500 or more is a failed delivery: the payer keeps a retry grant (or, settling after success, pays nothing). */
export function httpDelivery(deliver: HttpDeliver): Deliver<Response> {
  return async (paid: Paid) => {
    const value = await deliver(paid.payment, paid)
    const discard = () => void value.body?.cancel().catch(() => {})
    return value.status >= 500 ? { value, failure: `the resource answered ${value.status}`, discard } : { value, discard }
  }
}
