// Browser side of POST /api/checkout/payment-intent: the PaymentIntent bound to the page's stripe challenge.
import * as Challenge from '@/lib/protocol/Challenge'

export type CardPaymentIntent = {
  clientSecret: string
  /** Stripe.js's key, from the server at run time (never inlined at build time). */
  publishableKey: string
  paymentIntentId: string
  /** Where the receipt will be once the payment is recorded, by the credential or by Stripe's webhook. */
  receiptUrl: string
}

/** The server refused or could not be reached; `message` is written for the payer. */
export class PaymentIntentRequestError extends Error {
  override name = 'PaymentIntentRequestError'
  constructor(
    message: string,
    /** The problem code (`payment-expired`, …) when the server gave one. */
    readonly code: string | null,
  ) {
    super(message)
  }
}

const problemPrefix = 'https://paymentauth.org/problems/'

export async function requestPaymentIntent(target: string, challenge: Challenge.Challenge): Promise<CardPaymentIntent> {
  let response: Response
  try {
    response = await fetch('/api/checkout/payment-intent', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ url: target, challenge: Challenge.serialize(challenge) }),
      cache: 'no-store',
      credentials: 'same-origin',
    })
  } catch {
    throw new PaymentIntentRequestError('The server could not be reached. Check your connection and try again.', null)
  }
  const body = (await response.json().catch(() => null)) as Record<string, unknown> | null
  if (!response.ok || !body) {
    const type = typeof body?.type === 'string' ? body.type : ''
    const detail = typeof body?.detail === 'string' && body.detail ? body.detail : `Card payment could not start (HTTP ${response.status}).`
    throw new PaymentIntentRequestError(detail, type.startsWith(problemPrefix) ? type.slice(problemPrefix.length) : null)
  }
  const { clientSecret, publishableKey, paymentIntentId, receiptUrl } = body
  if (
    typeof clientSecret !== 'string' ||
    typeof publishableKey !== 'string' ||
    typeof paymentIntentId !== 'string' ||
    typeof receiptUrl !== 'string'
  )
    throw new PaymentIntentRequestError('The server answered with something other than a PaymentIntent.', null)
  return { clientSecret, publishableKey, paymentIntentId, receiptUrl }
}
