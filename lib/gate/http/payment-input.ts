// HTTP -> the core's input: the payment a request carries (an MPP credential in `Authorization` or
// `Payment-Authorization`, or an x402 `PAYMENT-SIGNATURE`), its grant cookie, its client and its body.
import * as Challenge from '@/lib/protocol/Challenge'
import * as Credential from '@/lib/protocol/Credential'
import * as Problem from '@/lib/protocol/Problem'
import * as x402Headers from '@/lib/protocol/x402/Headers'
import { grantKeyOf } from '../grant-scope'
import { clientKey } from '../rate-limit'
import type { DecisionInput, PaymentInput, PricedResource } from '../types'
import { readGrantToken } from './grant-cookie'

export function readPaymentInput(headers: Headers): PaymentInput {
  if (headers.has('authorization') || headers.has(Challenge.paymentAuthorizationHeader)) {
    try {
      const credential = Credential.fromHeaders(headers)
      if (credential) return { kind: 'mpp', credential }
    } catch (error) {
      if (!(error instanceof Problem.PaymentProblem)) throw error
      return { kind: 'malformed', problem: error }
    }
  }
  const x402 = headers.get(x402Headers.paymentSignature)
  return x402 !== null ? { kind: 'x402', header: x402 } : { kind: 'none' }
}

/** Whether the request carries money (read fresh state for it, never a cache). */
export function carriesPayment(headers: Headers): boolean {
  return headers.has('authorization') || headers.has(Challenge.paymentAuthorizationHeader) || headers.has(x402Headers.paymentSignature)
}

export function decisionInput(request: Request, resource: PricedResource, body: Uint8Array | null = null): DecisionInput {
  return {
    payment: readPaymentInput(request.headers),
    grantToken: readGrantToken(request, grantKeyOf(resource)),
    client: clientKey(request),
    body,
    acceptPayment: request.headers.get('accept-payment'),
    idempotencyKey: request.headers.get('idempotency-key'),
    // A HEAD carries only a payment (a session's voucher or top-up): it consumes nothing and gets the receipt.
    ...(request.method === 'HEAD' ? { units: 0 } : {}),
  }
}
