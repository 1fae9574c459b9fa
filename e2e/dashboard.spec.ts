// Issue 7 acceptance: a merchant signs in with an injected wallet (SIWE), creates a link, a payer
// pays it in a second browser context, and the payment shows in the dashboard with its amount and
// transaction hash; the merchant's webhook endpoint gets one correctly signed event. Screenshots of
// the overview, links list, link editor, share panel and payments table land in test-results/screenshots.
import path from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { rootDir } from '@/scripts/app'
import { anvilPrivateKey } from '@/scripts/chain/deploy'
import * as Signature from '@/lib/webhooks/signature'
import { until, webhookEndpoint, type Hook } from '@/test/dashboard/support'
import { startStack, type Stack } from '@/test/support/stack'
import { guardPage, screenshotBothWidths } from './support/checkout'
import { installInjectedWallet } from './support/injected-wallet'

test.describe.serial('merchant dashboard', () => {
  let stack: Stack
  let hook: Hook
  let merchant: Page
  let secret = ''
  let shareUrl = ''
  let paidTx = ''

  test.beforeAll(async ({ browser }) => {
    test.setTimeout(300_000)
    stack = await startStack({ env: { WEBHOOK_RETRY_BASE_SECONDS: '0.5' } })
    hook = await webhookEndpoint()
    const context = await browser.newContext()
    await installInjectedWallet(context, { rpcUrl: stack.chain.rpcUrl, chainId: stack.chain.chainId, privateKey: anvilPrivateKey(0) })
    merchant = await context.newPage()
  })
  test.afterEach(async ({}, testInfo) => {
    // The server's own log explains a failed step (it never contains secrets: nothing logs them).
    if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('server-log', { body: stack.apps[0]!.logs().slice(-20_000) })
  })
  test.afterAll(async () => {
    await hook?.close()
    await stack?.stop()
  })

  test('an unauthenticated visit goes to sign-in; the wallet signs in and lands on the overview', async () => {
    const guard = guardPage(merchant)
    await merchant.goto(`${stack.url}/dashboard`)
    await expect(merchant).toHaveURL(/\/signin\?next=%2Fdashboard$/)
    await expect(merchant.getByRole('heading', { name: 'Sign in to your dashboard' })).toBeVisible()
    await merchant.getByRole('button', { name: 'Sign in with Test Wallet' }).click()
    await expect(merchant).toHaveURL(`${stack.url}/dashboard`)
    await expect(merchant.getByRole('heading', { name: 'Overview' })).toBeVisible()
    await expect(merchant.getByTestId('signed-in-address')).toHaveAttribute('title', stack.merchant)
    await expect(merchant.getByTestId('stat-revenue')).toContainText('$0.00')
    await screenshotBothWidths(merchant, 'dashboard-overview-empty')
    guard.assertClean()
  })

  test('the merchant sets a webhook endpoint and sees its signing secret', async () => {
    await merchant.goto(`${stack.url}/dashboard/webhooks`)
    await merchant.getByTestId('webhook-url').fill(hook.url)
    await merchant.getByTestId('save-webhook').click()
    await expect(merchant.getByRole('status')).toHaveText(/Endpoint saved/)
    await merchant.getByRole('button', { name: 'Reveal' }).click()
    secret = await merchant.getByTestId('webhook-secret').inputValue()
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/)
  })

  test('the merchant creates a link in the editor and gets its share panel', async () => {
    await merchant.goto(`${stack.url}/dashboard/links`)
    await expect(merchant.getByTestId('links-table')).toContainText('Demo: a JSON fortune')
    await screenshotBothWidths(merchant, 'dashboard-links')

    await merchant.getByTestId('new-link').click()
    await expect(merchant.getByRole('heading', { name: 'New payment link' })).toBeVisible()
    await merchant.getByLabel('Title').fill('E2E field notes')
    await merchant.getByLabel('Description').fill('Notes sold by the end-to-end test.')
    await merchant.getByLabel('Price (USD)').fill('0.05')
    await expect(merchant.getByLabel('Recipient address')).toHaveValue(stack.merchant)
    await expect(merchant.locator('input[name="rail-stripe"]')).toBeDisabled()
    // A paid API sells each call: the editor offers no access window for it, and says so.
    await expect(merchant.getByRole('group', { name: 'After paying' })).toBeVisible()
    await merchant.getByLabel('Paid API (per request)').check()
    await expect(merchant.getByTestId('service-access')).toContainText('Every call is paid')
    await expect(merchant.getByRole('group', { name: 'After paying' })).toHaveCount(0)
    await merchant.getByLabel('Text or JSON').check()
    await expect(merchant.getByRole('group', { name: 'After paying' })).toBeVisible()
    await merchant.getByLabel('Content', { exact: true }).fill('The notes you paid for.')
    await screenshotBothWidths(merchant, 'dashboard-link-editor')

    // A bad price is explained next to the field, and nothing is created.
    await merchant.getByLabel('Price (USD)').fill('-1')
    await merchant.getByTestId('save-link').click()
    await expect(merchant.locator('.alert.error')).toContainText('Some fields need a change')
    await expect(merchant.locator('label.field', { hasText: 'Price (USD)' }).locator('.error')).toContainText('plain decimal number')
    await merchant.getByLabel('Price (USD)').fill('0.05')
    await merchant.getByTestId('save-link').click()

    await expect(merchant).toHaveURL(/\/dashboard\/links\/lnk_[A-Za-z0-9_-]+$/)
    await expect(merchant.getByRole('heading', { name: /E2E field notes/ })).toBeVisible()
    const panel = merchant.getByTestId('share-panel')
    await expect(panel).toBeVisible()
    shareUrl = await merchant.getByTestId('share-url').inputValue()
    expect(shareUrl).toMatch(new RegExp(`^${stack.url}/l/[a-z0-9]{12}$`))
    await expect(merchant.getByTestId('mppx-command')).toHaveText(
      `MPPX_PRIVATE_KEY=0x<payer private key> \\\n  npx mppx ${shareUrl} -c mppx.config.mjs`,
    )
    await expect(merchant.getByTestId('curl-command')).toHaveText(`curl -i ${shareUrl}`)
    // The QR code is a real symbol of the share URL: an SVG image drawn on the server, square, with modules.
    const qr = panel.getByRole('img', { name: `QR code for ${shareUrl}` })
    await expect(qr).toBeVisible()
    await expect(qr).toHaveAttribute('shape-rendering', 'crispEdges')
    expect(await qr.locator('path').getAttribute('d')).toMatch(/^(M\d+ \d+h\d+v1h-\d+z)+$/)
    const box = (await qr.boundingBox())!
    expect(box.width).toBeGreaterThanOrEqual(120)
    expect(Math.abs(box.width - box.height)).toBeLessThan(1)
    await screenshotBothWidths(merchant, 'dashboard-share')
    await panel.screenshot({ path: path.join(rootDir, 'test-results', 'screenshots', 'dashboard-share-panel.png') })
  })

  test('a payer pays the link in another browser context with their wallet', async ({ browser }) => {
    const context = await browser.newContext()
    await installInjectedWallet(context, {
      rpcUrl: stack.chain.rpcUrl,
      chainId: stack.chain.chainId,
      privateKey: anvilPrivateKey(2),
      name: 'Payer Wallet',
      startChainId: 1,
    })
    const payer = await context.newPage()
    await payer.goto(shareUrl)
    await expect(payer.getByTestId('checkout-title')).toHaveText('E2E field notes')
    await payer.getByRole('button', { name: /Crypto wallet/ }).click()
    await payer.getByRole('button', { name: 'Payer Wallet' }).click()
    await expect(payer.getByTestId('pay-button')).toHaveText('Pay 0.05 USDC')
    await expect(payer.getByTestId('pay-button')).toBeEnabled()
    await payer.getByTestId('pay-button').click()
    await expect(payer.getByRole('heading', { name: 'Payment complete' })).toBeVisible({ timeout: 60_000 })
    paidTx = (await payer.getByTestId('receipt-reference').textContent())!
    expect(paidTx).toMatch(/^0x[0-9a-f]{64}$/)
    await context.close()
  })

  test('the payment appears in the dashboard with the right amount and transaction hash', async () => {
    await merchant.goto(`${stack.url}/dashboard/payments`)
    const row = merchant.getByTestId('payments-table').locator('tbody tr').filter({ hasText: 'E2E field notes' })
    await expect(row).toHaveCount(1)
    await expect(row).toContainText('$0.05')
    await expect(row.locator(`[title="${paidTx}"]`)).toHaveCount(1)
    await screenshotBothWidths(merchant, 'dashboard-payments')

    await row.getByRole('link', { name: 'E2E field notes' }).click()
    await expect(merchant.getByTestId('payment-amount')).toHaveText('$0.05')
    await expect(merchant.getByTestId('payment-reference')).toHaveText(paidTx)
    await expect(merchant.getByTestId('payment-payer')).toHaveText('0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC')
    await screenshotBothWidths(merchant, 'dashboard-payment-detail')

    await merchant.goto(`${stack.url}/dashboard`)
    await expect(merchant.getByTestId('stat-revenue')).toContainText('$0.05')
    await expect(merchant.getByTestId('stat-payments')).toContainText('1')
    // The payer's checkout was answered with a 402; the server counts those in memory and writes them every few seconds.
    await expect(async () => {
      await merchant.reload()
      await expect(merchant.getByTestId('stat-conversion')).toContainText(/\d+(\.\d)?%/, { timeout: 1_000 })
    }).toPass({ timeout: 20_000 })
    await screenshotBothWidths(merchant, 'dashboard-overview')
  })

  test('the webhook endpoint receives one correctly signed payment.succeeded; resend sends it again', async () => {
    const events = await until(async () => {
      const matching = hook.received.filter((r) => JSON.parse(r.body).data?.payment?.reference === paidTx)
      return matching.length > 0 ? matching : undefined
    }, 'the webhook delivery')
    await new Promise((r) => setTimeout(r, 1000))
    expect(hook.received.filter((r) => JSON.parse(r.body).data?.payment?.reference === paidTx)).toHaveLength(1)
    const [event] = events
    expect(Signature.verify({ header: event!.headers['tollgate-signature'] as string, secret, rawBody: event!.body })).toBe(true)
    const body = JSON.parse(event!.body)
    expect(body).toMatchObject({ type: 'payment.succeeded', data: { payment: { amountUsd: '0.05', rail: 'evm', reference: paidTx } } })

    await merchant.goto(`${stack.url}/dashboard/webhooks`)
    const deliveries = merchant.getByTestId('deliveries-table')
    await expect(deliveries).toContainText('Delivered')
    await screenshotBothWidths(merchant, 'dashboard-webhooks')
    await deliveries.getByTestId('resend-delivery').first().click()
    await until(async () => hook.received.filter((r) => JSON.parse(r.body).id === body.id).length === 2, 'the resent delivery')
  })
})
