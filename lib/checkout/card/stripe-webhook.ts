// Stripe webhooks, POST /api/stripe/webhook: a succeeded PaymentIntent of ours records its payment and
// the grant the payer's browser already holds the token for (so a page closed early still unlocks);
// a canceled one gives back the slot its capped link held for it; one whose payer is confirming extends
// that slot's short hold; a refunded charge marks its payment refunded and reopens the slot. The rail
// verifies signatures and deduplicates events.
import { BodyTooLargeError, bodyTooLargeResponse, readBody } from '@/lib/http/read-body'
import * as Money from '@/lib/money'
import type Stripe from 'stripe'
import {
  replayKey,
  WebhookPayloadError,
  WebhookSignatureError,
  type CanceledPayment,
  type ConfirmingPayment,
  type RefundedCharge,
  type SucceededPayment,
  type WebhookContext,
  type WebhookHandlers,
} from '@/lib/rails/stripe'
import type { Db } from '@/lib/store/db'
import * as Grants from '@/lib/store/grants'
import * as LinkSales from '@/lib/store/link-sales'
import * as Links from '@/lib/store/links'
import * as Payments from '@/lib/store/payments'
import { enqueuePaymentEvent } from '@/lib/webhooks/enqueue-payment-event'
import { grantTerms, retryGrantTerms } from '@/lib/gate/core/grants'
import { jsonProblem } from '@/lib/gate/http/problem-response'
import { getGate } from '@/lib/gate/runtime'
import { recordPayment } from '@/lib/payments/record-payment'
import * as PreparedPayment from './prepared-payment'

/** Stripe's events are a few KB; the limit leaves room for large metadata and expanded objects. */
export const MAX_BODY_BYTES = 1024 * 1024

/** Raw body -> signature check (400) -> the event's handler once per event id (5xx on failure, so Stripe retries). */
export async function handleStripeWebhookRequest(request: Request): Promise<Response> {
  const gate = await getGate()
  if (!gate.stripe) return jsonProblem(404, 'Card payments are not configured', 'This server has no Stripe account configured.')
  let body: Uint8Array
  try {
    body = await readBody(request, MAX_BODY_BYTES)
  } catch (error) {
    if (error instanceof BodyTooLargeError) return bodyTooLargeResponse(error)
    throw error
  }
  let event
  try {
    event = gate.stripe.parseWebhook(body, request.headers.get('stripe-signature'))
  } catch (error) {
    if (error instanceof WebhookSignatureError) return jsonProblem(400, 'Invalid webhook signature', error.message)
    if (error instanceof WebhookPayloadError) return jsonProblem(400, 'Malformed webhook event', error.message)
    throw error
  }
  try {
    const result = await gate.stripe.handleWebhookEvent(event, webhookHandlers)
    if (result.outcome === 'handled') await notifyMerchant(gate.db, event)
    return Response.json({ received: true, ...result }, { headers: { 'cache-control': 'no-store' } })
  } catch (error) {
    // The event's id and type and the root cause only: the body and query parameters may carry customer details.
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error
    console.error(
      `stripe webhook ${event.type} ${event.id} failed: ${cause instanceof Error ? cause.message.split('\n')[0] : 'unknown error'}`,
    )
    return jsonProblem(500, 'Webhook handler failed', 'The event was not processed; Stripe will deliver it again.')
  }
}

/** Queues the merchant's own webhook once the event's writes committed (enqueueing is idempotent). */
async function notifyMerchant(db: Db, event: Stripe.Event): Promise<void> {
  const object = event.data.object as { id?: unknown; payment_intent?: unknown }
  const intentId =
    event.type === 'payment_intent.succeeded'
      ? object.id
      : event.type === 'charge.refunded'
        ? typeof object.payment_intent === 'string'
          ? object.payment_intent
          : (object.payment_intent as { id?: unknown } | null)?.id
        : undefined
  if (typeof intentId !== 'string') return
  const payment = await Payments.getBySettlementKey(db, replayKey(intentId))
  if (payment) await enqueuePaymentEvent(db, payment, event.type === 'charge.refunded' ? 'payment.refunded' : 'payment.succeeded')
}

export const webhookHandlers: WebhookHandlers = {
  onPaymentSucceeded: recordSucceededPayment,
  onRefunded: recordRefundedCharge,
  onPaymentCanceled: releaseCanceledHold,
  onPaymentConfirming: extendConfirmingHold,
}

/**
 * Records a checkout's PaymentIntent as paid (once per settlement key, whichever path comes first) and,
 * when this call recorded it, issues the grant whose token the PaymentIntent route set as a cookie.
 * Never claims the settlement: the payer's credential may still arrive and must be delivered.
 */
export async function recordSucceededPayment(payment: SucceededPayment, { tx }: WebhookContext): Promise<void> {
  const metadata = payment.paymentIntent.metadata ?? {}
  const resourceKey =
    metadata[PreparedPayment.metadataKeys.resourceKey] ?? (payment.linkId.startsWith('route:') ? payment.linkId : `link:${payment.linkId}`)
  const link = resourceKey === `link:${payment.linkId}` ? await Links.getById(tx, payment.linkId) : null
  const prepared = PreparedPayment.fromMetadata(metadata)
  const now = new Date()
  const { created, payment: recorded } = await recordPayment(
    tx,
    {
      sale: {
        key: resourceKey,
        priceUsd: priceUsd(metadata[PreparedPayment.metadataKeys.priceUsd], link, payment.amountCents),
        ...saleOf(link),
      },
      settlementKey: payment.settlementKey,
      method: 'stripe',
      reference: payment.reference,
      payer: null,
      amount: String(payment.amountCents),
      currency: payment.currency,
      ...(prepared ? { paymentId: prepared.paymentId } : {}),
      protocol: 'webhook',
      challengeId: payment.challengeId,
    },
    now,
  )
  // A checkout's intent held a slot of its capped link: it becomes the sale (once, whichever path is first).
  if (prepared && link)
    await LinkSales.sellHold(tx, { linkId: link.id, challengeId: payment.challengeId, paymentIntentId: payment.reference })
  if (!created || !prepared) return
  // Nothing was delivered yet: a window link opens for its minutes, anything else for one fetch.
  const terms = (link && grantTerms(link.accessPolicy, now)) ?? retryGrantTerms(now)
  // A route's grant is bound to its price terms too (grant-scope.ts); the intent carries that key.
  const grantKey = metadata[PreparedPayment.metadataKeys.grantKey]?.startsWith(`${resourceKey}#`)
    ? metadata[PreparedPayment.metadataKeys.grantKey]!
    : resourceKey
  await Grants.issueWithHash(tx, { tokenHash: prepared.grantTokenHash, paymentId: recorded.id, resourceKey: grantKey, ...terms })
}

/** A full refund (ours, or one made in the Stripe dashboard) marks the payment refunded; partial refunds leave it. */
export async function recordRefundedCharge(refund: RefundedCharge, { tx }: WebhookContext): Promise<void> {
  if (!refund.fullyRefunded) return
  const payment = await Payments.getBySettlementKey(tx, refund.settlementKey)
  // Only the call that marks it refunded reopens the slot: a redelivered event or the dashboard's own refund finds it done.
  if (payment && (await Payments.markRefunded(tx, payment.id)) && payment.linkId) await LinkSales.giveBackSlot(tx, payment.linkId)
}

/** A canceled checkout intent can never be paid: the slot it held is released (once). */
export async function releaseCanceledHold(canceled: CanceledPayment, { tx }: WebhookContext): Promise<void> {
  await LinkSales.releaseHold(tx, { paymentIntentId: canceled.reference })
}

/** Its payer is confirming (3-D Secure, processing, a card attempt): the short unpaid hold is extended (card-holds.ts). */
export async function extendConfirmingHold(confirming: ConfirmingPayment, { tx }: WebhookContext): Promise<void> {
  await LinkSales.confirmHold(tx, { paymentIntentId: confirming.reference })
}

function saleOf(link: Links.Link | null): { linkId: string | null; merchantId: string | null } {
  return { linkId: link?.id ?? null, merchantId: link?.merchantId ?? null }
}

// The price the challenge was for (kept on the intent), else the link's, else the cents charged.
function priceUsd(fromMetadata: string | undefined, link: Links.Link | null, amountCents: number): string {
  if (fromMetadata && Money.isUsd(fromMetadata)) return fromMetadata
  if (link) return link.priceUsd
  const cents = BigInt(amountCents)
  return Money.normalizeDecimal(`${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`)
}
