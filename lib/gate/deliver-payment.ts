// After money moved: record the payment once, deliver the resource, leave a receipt and a grant.
import * as Receipt from '@/lib/protocol/Receipt'
import * as x402Headers from '@/lib/protocol/x402/Headers'
import * as PaymentResponse from '@/lib/protocol/x402/PaymentResponse'
import * as Grants from '@/lib/store/grants'
import * as Payments from '@/lib/store/payments'
import { enqueuePaymentEvent } from '@/lib/webhooks/enqueue-payment-event'
import type { Gate, Deliver } from './gate'
import { grantTerms, retryGrantTerms, serializeGrantCookie } from './grant-cookie'
import { grantKeyOf } from './grant-scope'
import { jsonProblem } from './payment-required'
import type { PricedResource } from './priced-resource'
import type { Settled } from './rails'

export async function recordPayment(
  gate: Gate,
  resource: Pick<PricedResource, 'key' | 'priceUsd' | 'linkId' | 'merchantId'>,
  settled: Settled,
  protocol: 'mpp' | 'x402',
  challengeId: string | null,
  now: Date = new Date(),
): Promise<Payments.Payment> {
  const receipt: Receipt.Receipt = {
    status: 'success',
    method: settled.method,
    timestamp: now.toISOString(),
    reference: settled.reference,
    ...settled.receiptFields,
    ...(challengeId ? { challengeId } : {}),
  }
  const { created, payment } = await Payments.recordOnce(gate.db, {
    ...(settled.paymentId ? { id: settled.paymentId } : {}),
    settlementKey: settled.settlementKey,
    linkId: resource.linkId ?? null,
    merchantId: resource.merchantId ?? null,
    resourceKey: resource.key,
    protocol,
    method: settled.method,
    amount: settled.amount,
    currency: settled.currency,
    amountUsd: resource.priceUsd,
    payer: settled.payer,
    reference: settled.reference,
    challengeId,
    receipt,
  })
  if (created) {
    // The merchant's webhook is a notification: failing to queue it must not fail the paid request.
    await enqueuePaymentEvent(gate.db, payment).catch((error: unknown) => {
      console.error(`could not queue payment.succeeded for ${payment.id}: ${error instanceof Error ? error.message : 'unknown error'}`)
    })
  }
  return payment
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
  return { [Receipt.headerName]: Receipt.serialize(payment.receipt as Receipt.Receipt) }
}

/**
 * Runs the paid handler for a recorded payment; a failure is recorded and leaves a one-retry grant.
 * `preparedGrantTokenHash`: the payer already holds the grant's token (card checkout), so no new cookie.
 */
export async function deliverPayment(
  gate: Gate,
  resource: PricedResource,
  deliver: Deliver,
  payment: Payments.Payment,
  preparedGrantTokenHash?: string,
): Promise<Response> {
  const now = new Date()
  const headers: Record<string, string> = {
    ...receiptHeaders(payment),
    'cache-control': 'private',
    link: `</receipts/${payment.id}>; rel="receipt"`,
  }

  let response: Response
  let deliveryError: string | null = null
  try {
    response = await deliver(payment)
    if (response.status >= 500) deliveryError = `the resource answered ${response.status}`
  } catch (error) {
    deliveryError = error instanceof Error ? error.message : 'the resource failed'
    response = jsonProblem(
      502,
      'Paid, but the resource failed',
      `Your payment was settled (receipt /receipts/${payment.id}). The resource could not be delivered; retry the same request to fetch it again without paying.`,
    )
  }
  await Payments.markDelivery(gate.db, payment.id, deliveryError ? 'failed' : 'delivered', deliveryError ?? undefined)

  const terms = deliveryError ? retryGrantTerms(now) : grantTerms(resource.accessPolicy, now)
  const grantKey = grantKeyOf(resource)
  if (terms && preparedGrantTokenHash) {
    await Grants.issueWithHash(gate.db, { tokenHash: preparedGrantTokenHash, paymentId: payment.id, resourceKey: grantKey, ...terms })
  } else if (terms) {
    const { token } = await Grants.issue(gate.db, { paymentId: payment.id, resourceKey: grantKey, ...terms })
    headers['set-cookie'] = serializeGrantCookie({
      resourceKey: grantKey,
      token,
      path: new URL(resource.url).pathname,
      expiresAt: terms.expiresAt,
      secure: gate.config.publicUrl.protocol === 'https:',
      now,
    })
  }
  return withHeaders(response, headers)
}

export function withHeaders(response: Response, headers: Record<string, string>): Response {
  const merged = new Headers(response.headers)
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'set-cookie') merged.append(name, value)
    else merged.set(name, value)
  }
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers: merged })
}
