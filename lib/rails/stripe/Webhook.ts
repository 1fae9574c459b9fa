// Stripe webhooks: verify the signature over the raw body, then run each event's handler at most once.
// Dedup and the handler's writes share one transaction: a handler that throws rolls the event record
// back too, so Stripe's retry runs it again; a concurrent redelivery waits on the event-id row and
// then sees it taken.
import Stripe from 'stripe'
import { z } from 'zod'
import type { Db } from '@/lib/store/db'
import * as StripeEvents from '@/lib/store/stripe-events'
import { WebhookPayloadError, WebhookSignatureError } from './Errors'
import * as Keys from './internal/keys'

/** Stripe's default: signatures older than five minutes are refused (replayed deliveries). */
export const toleranceSeconds = 300

/** Events that show a payer confirming a PaymentIntent: 3-D Secure, a slow payment method, a card attempt that failed. */
export const confirmingEvents = ['payment_intent.requires_action', 'payment_intent.processing', 'payment_intent.payment_failed'] as const

// What Tollgate reads of an event, checked once here: the handlers may trust these shapes.
// Text goes to PostgreSQL, which cannot store NUL.
const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !s.includes('\u0000'))
const EventSchema = z.object({ id: text(255), type: text(255), data: z.object({ object: z.record(z.string(), z.unknown()) }) })
const objectSchemas = new Map<string, z.ZodType>(
  Object.entries({
    'payment_intent.succeeded': z.object({
      id: text(255),
      amount_received: z.number().int().nonnegative(),
      currency: text(16),
      metadata: z
        .record(
          z.string(),
          z
            .string()
            .max(500)
            .refine((s) => !s.includes('\u0000')),
        )
        .nullish(),
    }),
    'payment_intent.canceled': z.object({
      id: text(255),
      metadata: z
        .record(
          z.string(),
          z
            .string()
            .max(500)
            .refine((s) => !s.includes('\u0000')),
        )
        .nullish(),
    }),
    ...Object.fromEntries(
      confirmingEvents.map((type) => [
        type,
        z.object({
          id: text(255),
          metadata: z
            .record(
              z.string(),
              z
                .string()
                .max(500)
                .refine((s) => !s.includes('\u0000')),
            )
            .nullish(),
        }),
      ]),
    ),
    'charge.refunded': z.object({
      payment_intent: z.union([text(255), z.object({ id: text(255) }), z.null()]),
      amount_refunded: z.number().int().nonnegative(),
      refunded: z.boolean(),
    }),
  }),
)

/**
 * Verifies `Stripe-Signature` over the exact bytes received and returns the event. Throws
 * WebhookSignatureError, or WebhookPayloadError for a signed body that is not an event we can read.
 */
export function parseWebhook(
  webhookSecret: string,
  rawBody: string | Uint8Array,
  signatureHeader: string | null | undefined,
): Stripe.Event {
  if (!signatureHeader) throw new WebhookSignatureError('Missing Stripe-Signature header')
  const payload = typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength)
  let event: Stripe.Event
  try {
    event = Stripe.webhooks.constructEvent(payload, signatureHeader, webhookSecret, toleranceSeconds)
  } catch (cause) {
    // The SDK's message says which check failed (timestamp, signature) without quoting the secret.
    const reason = cause instanceof Stripe.errors.StripeSignatureVerificationError ? cause.message : 'the body is not a Stripe event'
    throw new WebhookSignatureError(`Webhook signature verification failed: ${reason}`, { cause })
  }
  // Signed, so not forged; but a body without these could only crash a handler (and be retried forever).
  const envelope = EventSchema.safeParse(event)
  if (!envelope.success) throw new WebhookPayloadError('the webhook body is not a Stripe event (id, type and data.object are required)')
  const objectSchema = objectSchemas.get(envelope.data.type)
  if (objectSchema && !objectSchema.safeParse(envelope.data.data.object).success)
    throw new WebhookPayloadError(`the ${envelope.data.type} event does not carry the object Stripe sends for it`)
  return event
}

/** Context handed to handlers. `tx` is the transaction that also records the event: write through it, not another handle. */
export type WebhookContext = { tx: Db; event: Stripe.Event }

/** A Tollgate PaymentIntent that succeeded, as `payment_intent.succeeded` reports it. */
export type SucceededPayment = {
  paymentIntent: Stripe.PaymentIntent
  /** `pi_…` */
  reference: string
  /** `stripe:<pi>`, the same key the credential path claims and records payments under. */
  settlementKey: string
  amountCents: number
  currency: string
  challengeId: string
  linkId: string
}

/** A Tollgate PaymentIntent canceled before it was paid (`payment_intent.canceled`): it can never be paid now. */
export type CanceledPayment = {
  paymentIntent: Stripe.PaymentIntent
  /** `pi_…` */
  reference: string
  challengeId: string
  linkId: string
}

/** A Tollgate PaymentIntent its payer is confirming (one of confirmingEvents): not paid yet, but underway. */
export type ConfirmingPayment = {
  paymentIntent: Stripe.PaymentIntent
  /** `pi_…` */
  reference: string
  challengeId: string
  linkId: string
}

/** A charge refunded in full or in part (`charge.refunded`), from our refund function or the Stripe dashboard. */
export type RefundedCharge = {
  charge: Stripe.Charge
  paymentIntentId: string
  settlementKey: string
  amountRefundedCents: number
  fullyRefunded: boolean
}

export type WebhookHandlers = {
  onPaymentSucceeded?(payment: SucceededPayment, context: WebhookContext): Promise<void>
  onRefunded?(refund: RefundedCharge, context: WebhookContext): Promise<void>
  onPaymentCanceled?(payment: CanceledPayment, context: WebhookContext): Promise<void>
  onPaymentConfirming?(payment: ConfirmingPayment, context: WebhookContext): Promise<void>
}

export type WebhookOutcome = {
  /** handled: ran now; duplicate: this event id was handled before; ignored: not an event (or object) of ours. */
  outcome: 'handled' | 'duplicate' | 'ignored'
  eventId: string
  type: string
}

/**
 * Dispatches a verified event. Unknown types and PaymentIntents Tollgate did not create are ignored
 * (answer 2xx). A handler error propagates, with nothing recorded, so the route answers 5xx and Stripe retries.
 */
export async function handleWebhookEvent(db: Db, event: Stripe.Event, handlers: WebhookHandlers): Promise<WebhookOutcome> {
  const result = (outcome: WebhookOutcome['outcome']): WebhookOutcome => ({ outcome, eventId: event.id, type: event.type })
  const run = dispatcher(event, handlers)
  if (!run) return result('ignored')
  const outcome = await db.transaction(async (tx) => {
    const first = await StripeEvents.recordEventOnce(tx, event.id, event.type)
    if (!first) return 'duplicate' as const
    await run({ tx, event })
    return 'handled' as const
  })
  return result(outcome)
}

// The handler call for this event, or null when there is nothing of ours to do.
function dispatcher(event: Stripe.Event, handlers: WebhookHandlers): ((context: WebhookContext) => Promise<void>) | null {
  if (event.type === 'payment_intent.succeeded' && handlers.onPaymentSucceeded) {
    const intent = event.data.object
    const challengeId = intent.metadata?.[Keys.metadataKeys.challengeId]
    const linkId = intent.metadata?.[Keys.metadataKeys.linkId]
    if (!challengeId || !linkId) return null
    const payment: SucceededPayment = {
      paymentIntent: intent,
      reference: intent.id,
      settlementKey: Keys.replayKey(intent.id),
      amountCents: intent.amount_received,
      currency: intent.currency,
      challengeId,
      linkId,
    }
    const handler = handlers.onPaymentSucceeded
    return (context) => handler(payment, context)
  }
  if (event.type === 'payment_intent.canceled' && handlers.onPaymentCanceled) {
    const intent = event.data.object
    const challengeId = intent.metadata?.[Keys.metadataKeys.challengeId]
    const linkId = intent.metadata?.[Keys.metadataKeys.linkId]
    if (!challengeId || !linkId) return null
    const handler = handlers.onPaymentCanceled
    return (context) => handler({ paymentIntent: intent, reference: intent.id, challengeId, linkId }, context)
  }
  if ((confirmingEvents as readonly string[]).includes(event.type) && handlers.onPaymentConfirming) {
    const intent = event.data.object as Stripe.PaymentIntent
    const challengeId = intent.metadata?.[Keys.metadataKeys.challengeId]
    const linkId = intent.metadata?.[Keys.metadataKeys.linkId]
    if (!challengeId || !linkId) return null
    const handler = handlers.onPaymentConfirming
    return (context) => handler({ paymentIntent: intent, reference: intent.id, challengeId, linkId }, context)
  }
  if (event.type === 'charge.refunded' && handlers.onRefunded) {
    const charge = event.data.object
    const paymentIntentId = typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id
    if (!paymentIntentId) return null
    const refund: RefundedCharge = {
      charge,
      paymentIntentId,
      settlementKey: Keys.replayKey(paymentIntentId),
      amountRefundedCents: charge.amount_refunded,
      fullyRefunded: charge.refunded,
    }
    const handler = handlers.onRefunded
    return (context) => handler(refund, context)
  }
  return null
}
