// Issue 6 acceptance in the browser: the checkout's card tab with the fake Stripe.js, backed by the
// Stripe double, against the running app. Visa unlocks, a decline shows Stripe's message and unlocks
// nothing, 3-D Secure goes through its next action, and a page closed after confirmation still unlocks.
import { expect, test, type BrowserContext, type Page } from '@playwright/test'
import { type Stack, startStack } from '@/test/support/stack'
import { startStripeDouble, type StripeDouble } from '@/test/stripe-double'
import { installFakeStripe, type FakeStripeStats } from './support/fake-stripe'

const target = '/l/demo-file'
const fileName = 'tollgate-field-guide.md'

test.describe.serial('card payments (fake Stripe.js + Stripe double)', () => {
  let double: StripeDouble
  let stack: Stack
  // The checkout's strict CSP must let Stripe.js load and reach the API: any violation fails the test.
  let violations: string[] = []
  test.beforeEach(() => {
    violations = []
  })
  test.afterEach(() => {
    expect(violations).toEqual([])
  })

  test.beforeAll(async () => {
    test.setTimeout(600_000)
    double = await startStripeDouble({ webhookEvents: ['payment_intent.succeeded', 'charge.refunded'] })
    stack = await startStack({
      stripe: true,
      env: {
        STRIPE_SECRET_KEY: double.secretKey,
        NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY: double.publishableKey,
        STRIPE_WEBHOOK_SECRET: double.webhookSecret,
        STRIPE_API_BASE: double.url,
      },
    })
    double.setWebhookEndpoint({ url: `${stack.url}/api/stripe/webhook`, events: ['payment_intent.succeeded', 'charge.refunded'] })
  })
  test.afterAll(async () => {
    await double?.webhooksIdle()
    await stack?.stop()
    await double?.stop()
  })

  type IssuedIntent = { clientSecret: string; publishableKey: string; paymentIntentId: string; receiptUrl: string }

  async function openCardTab(context: BrowserContext): Promise<{ page: Page; stats: FakeStripeStats; intent: Promise<IssuedIntent> }> {
    const stats = await installFakeStripe(context, double.url)
    const page = await context.newPage()
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) violations.push(message.text())
    })
    // A person opening the link lands on the checkout.
    await page.goto(`${stack.url}${target}`)
    await expect(page).toHaveURL(/\/pay\?u=%2Fl%2Fdemo-file$/)
    const card = page.getByRole('button', { name: /^Card/ })
    await expect(card).toBeEnabled()
    expect(stats.scriptLoads, 'Stripe.js is not loaded before the payer picks Card').toBe(0)
    const intent = page.waitForResponse('**/api/checkout/payment-intent').then(async (response) => (await response.json()) as IssuedIntent)
    await card.click()
    await expect(page.getByTestId('fake-payment-element')).toBeVisible()
    expect(stats.scriptLoads).toBe(1)
    return { page, stats, intent }
  }

  async function expectUnlocked(page: Page, download: Promise<import('@playwright/test').Download>): Promise<void> {
    await expect(page.getByRole('heading', { name: 'Payment complete' })).toBeVisible()
    await expect(page.getByTestId('resource-file-name')).toHaveText(fileName)
    await expect(page.getByTestId('receipt-reference')).toHaveText(/^pi_[A-Za-z0-9]+$/)
    const file = await download
    expect(file.suggestedFilename()).toBe(fileName)
  }

  test('a card payment in the browser unlocks the file, with a card receipt', async ({ browser }) => {
    const context = await browser.newContext({ acceptDownloads: true })
    const { page, stats } = await openCardTab(context)
    await page.getByTestId('fake-card-visa').check()
    await page.screenshot({ path: 'test-results/screenshots/card-form.png', fullPage: true })
    const download = page.waitForEvent('download')
    await page.getByTestId('card-pay').click()
    await expectUnlocked(page, download)
    const reference = await page.getByTestId('receipt-reference').textContent()
    expect(double.intents.get(reference!)?.status).toBe('succeeded')
    expect(stats.apiCalls).toContain(`POST /v1/payment_intents/${reference}/confirm`)
    // The receipt page is the one the PaymentIntent route promised.
    await page.getByTestId('receipt-link').click()
    await expect(page.getByTestId('receipt-reference')).toHaveText(reference!)
    await context.close()
  })

  test('a declined card shows Stripe’s message and unlocks nothing; another card then pays', async ({ browser }) => {
    const context = await browser.newContext({ acceptDownloads: true })
    const { page, intent } = await openCardTab(context)
    await page.getByTestId('fake-card-declined').check()
    await page.getByTestId('card-pay').click()
    await expect(page.getByTestId('card-error')).toHaveText('Your card was declined.')
    await page.screenshot({ path: 'test-results/screenshots/card-declined.png', fullPage: true })
    const { paymentIntentId } = await intent
    expect(double.intents.get(paymentIntentId)?.status).toBe('requires_payment_method')
    await expect(page.getByRole('heading', { name: 'Payment complete' })).toHaveCount(0)
    const locked = await context.request.get(`${stack.url}${target}`, { headers: { accept: 'application/json' } })
    expect(locked.status()).toBe(402)

    await page.getByTestId('fake-card-visa').check()
    const download = page.waitForEvent('download')
    await page.getByTestId('card-pay').click()
    await expectUnlocked(page, download)
    await expect(page.getByTestId('receipt-reference')).toHaveText(paymentIntentId)
    await context.close()
  })

  test('3-D Secure goes through its next action, then unlocks; a failed authentication shows why', async ({ browser }) => {
    const context = await browser.newContext({ acceptDownloads: true })
    const { page } = await openCardTab(context)
    await page.getByTestId('fake-card-threeDSecure').check()
    await page.getByTestId('card-pay').click()
    await page.getByTestId('fake-3ds-fail').click()
    await expect(page.getByTestId('card-error')).toContainText('failed authentication')

    await page.getByTestId('card-pay').click()
    await expect(page.getByTestId('fake-3ds')).toBeVisible()
    const download = page.waitForEvent('download')
    await page.getByTestId('fake-3ds-complete').click()
    await expectUnlocked(page, download)
    await context.close()
  })

  test('a credential lost on the way (connection dropped after the charge) still unlocks: the page waits for the receipt and reloads', async ({
    browser,
  }) => {
    const context = await browser.newContext({ acceptDownloads: true })
    const { page, intent } = await openCardTab(context)
    await page.route(`${stack.url}${target}`, (route) =>
      route.request().headers().authorization ? route.abort('connectionreset') : route.continue(),
    )
    // The page polls its receipt; hold those polls until the message has been read, or a fast webhook
    // could reload the page before the assertion sees it.
    let messageRead!: () => void
    const read = new Promise<void>((resolve) => (messageRead = resolve))
    await page.route(`${stack.url}/receipts/**`, async (route) => {
      await read
      await route.continue()
    })
    await page.getByTestId('fake-card-visa').check()
    await page.getByTestId('card-pay').click()
    await expect(page.getByTestId('card-charged')).toContainText('Your card was charged.')
    await expect(page.getByTestId('card-charged').getByRole('link')).toHaveAttribute('href', (await intent).receiptUrl)
    messageRead()
    // The webhook records the payment; the page reloads into the purchase with the grant cookie.
    const download = page.waitForEvent('download', { timeout: 45_000 })
    await expect(page.getByRole('heading', { name: 'You already have access' })).toBeVisible({ timeout: 45_000 })
    expect((await download).suggestedFilename()).toBe(fileName)
    await context.close()
  })

  test('a page closed after confirmation still records the payment, its receipt and the file on reload', async ({ browser }) => {
    const context = await browser.newContext({ acceptDownloads: true })
    const { page, intent: issued } = await openCardTab(context)
    const intent = await issued
    // Stripe.js confirmed (here straight at the double) and the tab closed before any credential was sent.
    const confirmed = await fetch(`${double.url}/v1/payment_intents/${intent.paymentIntentId}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        key: intent.publishableKey,
        client_secret: intent.clientSecret,
        'payment_method_data[type]': 'card',
        'payment_method_data[card][number]': '4242424242424242',
        'payment_method_data[card][exp_month]': '12',
        'payment_method_data[card][exp_year]': '2034',
        'payment_method_data[card][cvc]': '123',
      }).toString(),
    })
    expect(confirmed.status).toBe(200)
    await page.close()
    await double.webhooksIdle()

    const later = await context.newPage()
    await later.goto(`${stack.url}${intent.receiptUrl}`)
    await expect(later.getByTestId('receipt-reference')).toHaveText(intent.paymentIntentId)
    // Reloading the link opens the file for the window the link grants, thanks to the cookie set with the intent.
    const download = later.waitForEvent('download')
    await later.goto(`${stack.url}${target}`).catch(() => {})
    expect((await download).suggestedFilename()).toBe(fileName)
    await context.close()

    // Another browser (no cookie) still has to pay.
    const stranger = await browser.newContext()
    const response = await stranger.request.get(`${stack.url}${target}`, { headers: { accept: 'application/json' } })
    expect(response.status()).toBe(402)
    await stranger.close()
  })
})
