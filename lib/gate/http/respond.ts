// The core's outcome -> an HTTP response: 402 with `WWW-Authenticate: Payment` challenges, PAYMENT-REQUIRED
// and problem+json (an HTML page that leads to the checkout for a person's first visit); plain problems;
// the paid answer with `Payment-Receipt` (or x402's PAYMENT-RESPONSE), a receipt link and the grant cookie.
import * as Problem from '@/lib/protocol/Problem'
import * as Receipt from '@/lib/protocol/Receipt'
import * as x402Headers from '@/lib/protocol/x402/Headers'
import * as PaymentResponse from '@/lib/protocol/x402/PaymentResponse'
import type * as Payments from '@/lib/store/payments'
import type { Gate, IssuedGrant, Outcome, PricedResource } from '../types'
import { isBrowserNavigation, problemForBrowser, toCheckoutDocument } from './browser'
import { serializeGrantCookie } from './grant-cookie'
import { jsonProblem, problemResponse, withHeaders } from './problem-response'

export function respond(gate: Gate, request: Request, resource: PricedResource, outcome: Outcome<Response>): Response | Promise<Response> {
  switch (outcome.kind) {
    case 'payment-required': {
      const response = problemResponse(outcome.problem, outcome.offers, outcome.problemJson)
      if (outcome.retryAfterSeconds) response.headers.set('retry-after', String(outcome.retryAfterSeconds))
      // A person's first visit: same challenges, but an HTML body that leads to the checkout page.
      return outcome.problem instanceof Problem.PaymentRequiredError && isBrowserNavigation(request)
        ? toCheckoutDocument(response, request)
        : response
    }
    case 'refused': {
      const response = jsonProblem(
        outcome.status,
        outcome.title,
        outcome.detail,
        outcome.retryAfterSeconds ? { 'retry-after': String(outcome.retryAfterSeconds) } : {},
      )
      // A link that is gone or missing is shown to a person as a page.
      return outcome.status === 404 || outcome.status === 410 ? problemForBrowser(request, response) : response
    }
    case 'delivered':
      if (outcome.payment) return withHeaders(outcome.value, paidHeaders(gate, resource, outcome.payment, outcome.grant))
      // A method's own ledger (a session) has a receipt but no payment row; a grant has neither.
      return withHeaders(outcome.value, { ...receiptHeader(outcome.receipt), 'cache-control': 'private' })
    case 'acknowledged':
      return new Response(null, { status: 200, headers: { ...receiptHeader(outcome.receipt), 'cache-control': 'private' } })
    case 'undelivered':
      if (!outcome.payment)
        // The resource failing (an unreachable or refused upstream) is a bad gateway, never a 500.
        return withHeaders(
          jsonProblem(502, 'The resource failed', 'The resource behind this link could not be delivered. Try again later.'),
          { ...receiptHeader(outcome.receipt), 'cache-control': 'private' },
        )
      return withHeaders(
        jsonProblem(
          502,
          'Paid, but the resource failed',
          `Your payment was settled (receipt /receipts/${outcome.payment.id}). The resource could not be delivered; retry the same request to fetch it again without paying.`,
        ),
        paidHeaders(gate, resource, outcome.payment, outcome.grant),
      )
  }
}

/** Receipt (in the protocol it was paid with), privacy, the receipt page and the grant cookie of a paid answer. */
function paidHeaders(gate: Gate, resource: PricedResource, payment: Payments.Payment, grant: IssuedGrant | null): Record<string, string> {
  const headers: Record<string, string> = {
    ...receiptHeaders(payment),
    'cache-control': 'private',
    link: `</receipts/${payment.id}>; rel="receipt"`,
  }
  if (grant)
    headers['set-cookie'] = serializeGrantCookie({
      resourceKey: grant.key,
      token: grant.token,
      path: new URL(resource.url).pathname,
      expiresAt: grant.expiresAt,
      secure: gate.config.publicUrl.protocol === 'https:',
      now: gate.clock.now(),
    })
  return headers
}

/** The receipt headers of a payment, in the protocol it was paid with. */
function receiptHeaders(payment: Payments.Payment): Record<string, string> {
  if (payment.protocol === 'x402') {
    const chainId = Number(payment.receipt.chainId)
    return {
      [x402Headers.paymentResponse]: PaymentResponse.encode(
        PaymentResponse.success({
          transaction: payment.reference as `0x${string}`,
          network: `eip155:${chainId}`,
          payer: (payment.payer ?? '') as `0x${string}`,
        }),
      ),
    }
  }
  return receiptHeader(payment.receipt as Receipt.Receipt)
}

function receiptHeader(receipt: Receipt.Receipt | null): Record<string, string> {
  return receipt ? { [Receipt.headerName]: Receipt.serialize(receipt) } : {}
}
