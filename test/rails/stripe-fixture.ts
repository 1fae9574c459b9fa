// Shared setup of the Stripe rail integration tests: the Stripe double, an in-memory store, the rail
// configured the way the app configures it (STRIPE_API_BASE), and what a browser running Stripe.js does.
import { randomBytes } from 'node:crypto'
import Stripe from 'stripe'
import * as Challenge from '@/lib/protocol/Challenge'
import { createStripeRail, loadStripeConfig, type StripeRail } from '@/lib/rails/stripe'
import { openDb, type Db } from '@/lib/store/db'
import { startStripeDouble, type StripeDouble, type StripeDoubleOptions } from '@/test/stripe-double'

export type StripeRailFixture = {
  double: StripeDouble
  db: Db
  rail: StripeRail
  /** The merchant's own SDK client, for setting up odd situations by hand. */
  stripe: Stripe
  /** A stripe/charge challenge for this many cents, made like the gate makes it. */
  challengeFor(amountCents: number, options?: { expires?: Date; externalId?: string }): Challenge.Challenge
  /** What Stripe.js does when the payer submits a card in the Payment Element. */
  confirmInBrowser(
    paymentIntent: { id: string; clientSecret: string },
    cardNumber: string,
  ): Promise<{ status: number; body: BrowserConfirmBody }>
  /** The payer answering the 3-D Secure challenge. */
  authenticateInBrowser(paymentIntent: { id: string; clientSecret: string }, outcome: 'complete' | 'fail'): Promise<Stripe.PaymentIntent>
  stop(): Promise<void>
}

export type BrowserConfirmBody = Stripe.PaymentIntent & { error?: { type: string; code?: string; decline_code?: string; message: string } }

const bindingSecret = randomBytes(32).toString('hex')

export async function startStripeRailFixture(options: StripeDoubleOptions = {}): Promise<StripeRailFixture> {
  const double = await startStripeDouble(options)
  const { db, close } = await openDb({ dataDir: 'memory://' })
  const config = loadStripeConfig({
    STRIPE_SECRET_KEY: double.secretKey,
    NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY: double.publishableKey,
    STRIPE_WEBHOOK_SECRET: double.webhookSecret,
    STRIPE_API_BASE: double.url,
  })
  if (!config) throw new Error('the Stripe configuration did not load')
  const rail = createStripeRail(config, db)
  const stripe = new Stripe(double.secretKey, { host: '127.0.0.1', port: double.port, protocol: 'http', maxNetworkRetries: 0 })

  const browserPost = async (path: string, form: Record<string, string>) => {
    const response = await fetch(`${double.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:3000' },
      body: new URLSearchParams(form).toString(),
    })
    return { status: response.status, body: (await response.json()) as BrowserConfirmBody }
  }

  return {
    double,
    db,
    rail,
    stripe,
    challengeFor(amountCents, { expires = new Date(Date.now() + 5 * 60_000), externalId } = {}) {
      const request = rail.chargeRequest({ amountCents, description: 'A paid article', ...(externalId ? { externalId } : {}) })
      if (!request) throw new Error(`${amountCents} cents is below Stripe's minimum`)
      return Challenge.create({ secret: bindingSecret, realm: 'tollgate.test', method: 'stripe', intent: 'charge', request, expires })
    },
    confirmInBrowser(paymentIntent, cardNumber) {
      return browserPost(`/v1/payment_intents/${paymentIntent.id}/confirm`, {
        key: double.publishableKey,
        client_secret: paymentIntent.clientSecret,
        'payment_method_data[type]': 'card',
        'payment_method_data[card][number]': cardNumber,
        'payment_method_data[card][exp_month]': '12',
        'payment_method_data[card][exp_year]': '2034',
        'payment_method_data[card][cvc]': '123',
      })
    },
    async authenticateInBrowser(paymentIntent, outcome) {
      const { status, body } = await browserPost(`/_double/authenticate/${paymentIntent.id}`, {
        client_secret: paymentIntent.clientSecret,
        outcome,
      })
      if (status !== 200) throw new Error(`3-D Secure step answered ${status}`)
      return body
    },
    async stop() {
      await double.stop()
      await close()
    },
  }
}

/** A fresh ready-made Shared Payment Token of the double (prefix picks the outcome). */
export function sharedPaymentToken(prefix: 'spt_testOk' | 'spt_testRequiresAction' | 'spt_testDeclined'): string {
  return `${prefix}${randomBytes(8).toString('hex')}`
}
