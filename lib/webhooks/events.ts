// The event a merchant's endpoint receives. The payload is serialized once and stored, so every
// delivery and resend of an event sends (and signs) the same bytes.
import { randomBytes } from 'node:crypto'
import type { Payment } from '@/lib/store/payments'
import type { WebhookEventType } from '@/lib/store/schema'

export type PaymentEventPayload = {
  id: string
  type: WebhookEventType
  created: string
  data: {
    payment: {
      id: string
      linkId: string | null
      resourceKey: string
      status: 'succeeded' | 'refunded'
      amountUsd: string
      amount: string
      currency: string
      rail: 'evm' | 'stripe'
      protocol: 'mpp' | 'x402' | 'webhook' | 'mcp'
      payer: string | null
      reference: string
      challengeId: string | null
      createdAt: string
      refundedAt: string | null
    }
  }
}

export function newEventId(): string {
  return `evt_${randomBytes(16).toString('base64url')}`
}

export function paymentEvent(id: string, type: WebhookEventType, payment: Payment, now: Date = new Date()): PaymentEventPayload {
  return {
    id,
    type,
    created: now.toISOString(),
    data: {
      payment: {
        id: payment.id,
        linkId: payment.linkId,
        resourceKey: payment.resourceKey,
        status: payment.status,
        amountUsd: payment.amountUsd,
        amount: payment.amount,
        currency: payment.currency,
        rail: payment.method,
        protocol: payment.protocol,
        payer: payment.payer,
        reference: payment.reference,
        challengeId: payment.challengeId,
        createdAt: payment.createdAt.toISOString(),
        refundedAt: payment.refundedAt?.toISOString() ?? null,
      },
    },
  }
}
