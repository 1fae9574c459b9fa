// Puts the fake Stripe.js in a Playwright page: Stripe.js loads from https://js.stripe.com (served
// from ./fake-stripe/stripe.js) and its API calls to https://api.stripe.com reach the Stripe double.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { BrowserContext, Page } from '@playwright/test'

const fakeStripeJs = readFileSync(path.join(import.meta.dirname, 'fake-stripe', 'stripe.js'), 'utf8')

export type FakeStripeStats = {
  /** How many times the page loaded Stripe.js (0 until the payer picks Card). */
  scriptLoads: number
  /** API calls the page made, e.g. "POST /v1/payment_intents/pi_…/confirm". */
  apiCalls: string[]
}

/** Serves the fake at js.stripe.com and forwards api.stripe.com to `doubleUrl` for this page (or context). */
export async function installFakeStripe(target: Page | BrowserContext, doubleUrl: string): Promise<FakeStripeStats> {
  const stats: FakeStripeStats = { scriptLoads: 0, apiCalls: [] }
  await target.route('https://js.stripe.com/**', async (route) => {
    stats.scriptLoads++
    await route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: fakeStripeJs })
  })
  await target.route('https://api.stripe.com/**', async (route) => {
    const url = new URL(route.request().url())
    stats.apiCalls.push(`${route.request().method()} ${url.pathname}`)
    const response = await route.fetch({ url: `${doubleUrl}${url.pathname}${url.search}` })
    await route.fulfill({ response })
  })
  return stats
}
