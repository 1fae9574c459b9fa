// Issue 18 acceptance: the merchant demo works with nothing installed in the browser. The demo itself
// (scripts/demo/start-demo.ts, what `npm run demo` runs) starts on free ports with its real history;
// a fresh browser context with no wallet goes home → Merchant dashboard → "Sign in as the demo
// merchant" and finds the seeded revenue, links, payments and webhook deliveries. Screenshots at
// desktop and 360 px land in test-results/screenshots/demo-*.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect, test, type Locator, type Page } from '@playwright/test'
import { shortHex } from '@/components/dashboard/format'
import { anvilPrivateKey } from '@/scripts/chain/deploy'
import { startDemo, type Demo } from '@/scripts/demo/start-demo'
import { freePort } from '@/test/support/ports'
import { startStack, type Stack } from '@/test/support/stack'
import { guardPage, screenshotBothWidths } from './support/checkout'
import { installInjectedWallet } from './support/injected-wallet'

/** `inner` is drawn within `outer` (nothing sticks out of the card at a phone width). */
async function expectInside(inner: Locator, outer: Locator): Promise<void> {
  const [a, b] = [(await inner.boundingBox())!, (await outer.boundingBox())!]
  expect(a.x).toBeGreaterThanOrEqual(b.x)
  expect(a.x + a.width).toBeLessThanOrEqual(b.x + b.width)
}

test.describe.serial('the merchant demo, with no wallet extension', () => {
  let demo: Demo
  let dataDir: string
  let page: Page

  test.beforeAll(async ({ browser }) => {
    test.setTimeout(300_000)
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-demo-e2e-'))
    demo = await startDemo({ port: await freePort(), anvilPort: 0, dataDir, secret: randomBytes(32).toString('base64url') })
    // A fresh context: no injected wallet, nothing stored; clipboard access to check the copy buttons.
    const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] })
    page = await context.newPage()
  })
  test.afterEach(async ({}, testInfo) => {
    if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('server-log', { body: demo.app.logs().slice(-20_000) })
  })
  test.afterAll(async () => {
    await demo?.stop()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  test('the home page shows the terminal commands the demo printed, each with a copy button', async () => {
    const guard = guardPage(page)
    await page.goto(demo.url)
    await expect(page.getByRole('heading', { name: 'Pay the demo link from a terminal' })).toBeVisible()
    expect(demo.commands.map((c) => c.id)).toEqual(['mppx', 'x402', 'mcp', 'mppx-rpc', 'session'])
    for (const entry of demo.commands) {
      await expect(page.getByTestId(`command-text-${entry.id}`)).toHaveText(entry.command)
      await page.getByTestId(`copy-${entry.id}`).click()
      await expect(page.getByTestId(`copy-${entry.id}`)).toHaveText('Copied')
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(entry.command)
    }
    expect(demo.commands[1]!.command).toContain(`TOKEN_ADDRESS=${demo.chain.token}`)
    await screenshotBothWidths(page, 'demo-home')
    guard.assertClean()
  })

  test('home → Merchant dashboard → Sign in as the demo merchant → the overview shows the seeded revenue', async () => {
    const guard = guardPage(page)
    await page.goto(demo.url)
    await page.getByRole('link', { name: 'Merchant dashboard', exact: true }).click()
    await expect(page).toHaveURL(/\/signin\?next=%2Fdashboard$/)
    const signIn = page.getByRole('button', { name: 'Sign in as the demo merchant' })
    await expect(signIn).toBeVisible()
    await expect(page.getByLabel('Looking for wallets')).toHaveCount(0)
    await expect(page.getByTestId('sign-in-wallet')).toHaveCount(0)
    await expect(page.getByText('No wallet found in this browser')).toHaveCount(0)
    await page.setViewportSize({ width: 360, height: 760 })
    await expectInside(signIn, page.locator('.signin-card'))
    await expectInside(page.getByTestId('demo-merchant-note'), page.locator('.signin-card'))
    await page.setViewportSize({ width: 1280, height: 720 })
    await screenshotBothWidths(page, 'demo-signin')

    await signIn.click()
    await expect(page).toHaveURL(`${demo.url}/dashboard`)
    await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible()
    await expect(page.getByTestId('signed-in-address')).toHaveAttribute('title', demo.merchant)
    expect(demo.history.revenue).toBe('$0.77')
    await expect(page.getByTestId('stat-revenue')).toContainText(demo.history.revenue)
    await screenshotBothWidths(page, 'demo-overview')
    guard.assertClean()
  })

  test('a wallet extension, when the browser has one, is still offered first', async ({ browser }) => {
    const context = await browser.newContext()
    await installInjectedWallet(context, { rpcUrl: demo.chain.rpcUrl, chainId: demo.chain.chainId, privateKey: anvilPrivateKey(0) })
    const withWallet = await context.newPage()
    await withWallet.goto(`${demo.url}/signin`)
    const options = withWallet.locator('.wallet-list button')
    await expect(options).toHaveText(['Sign in with Test Wallet', 'Sign in as the demo merchant'])
    await expect(options.first()).toHaveClass(/primary/)
    await expect(options.last()).not.toHaveClass(/primary/)
    await context.close()
  })

  test('the links page shows the demo links, the capped one sold out', async () => {
    await page.goto(`${demo.url}/dashboard/links`)
    const table = page.getByTestId('links-table')
    for (const link of demo.links) await expect(table).toContainText(link.title)
    const capped = table.locator('tr', { hasText: `/l/${demo.history.soldOutSlug}` })
    await expect(capped).toContainText('Early-bird pass (2 only)')
    await expect(capped).toContainText('Sold out')
    await expect(capped.locator('td[data-label="Payments"]')).toHaveText('2 / 2')
    await screenshotBothWidths(page, 'demo-links')
  })

  test('the payments page shows the seeded payments, one row per payer', async () => {
    await page.goto(`${demo.url}/dashboard/payments`)
    const rows = page.getByTestId('payments-table').locator('tbody tr')
    await expect(rows).toHaveCount(demo.history.payments.length)
    expect(new Set(demo.history.payments.map((p) => p.payer)).size).toBe(8)
    for (const payment of demo.history.payments)
      await expect(rows.filter({ has: page.locator(`td[title="${payment.payer}"]`) })).toContainText(shortHex(payment.payer))
    await expect(rows.filter({ hasText: 'x402' })).toHaveCount(demo.history.payments.filter((p) => p.protocol === 'x402').length)
    await screenshotBothWidths(page, 'demo-payments')
  })

  test('the webhooks page shows the local endpoint and its delivered, verified events', async () => {
    await page.goto(`${demo.url}/dashboard/webhooks`)
    await expect(page.getByTestId('webhook-url')).toHaveValue(demo.history.webhookUrl!)
    const deliveries = page.getByTestId('deliveries-table').locator('tbody tr')
    await expect(deliveries).toHaveCount(demo.history.payments.length)
    await expect(deliveries.filter({ hasText: 'Delivered' })).toHaveCount(demo.history.payments.length)
    expect(demo.receiver.received.filter((e) => e.verified).length).toBe(demo.history.payments.length)
    await screenshotBothWidths(page, 'demo-webhooks')
  })
})

test.describe('without TOLLGATE_DEMO', () => {
  let stack: Stack
  test.beforeAll(async () => {
    test.setTimeout(180_000)
    stack = await startStack({ env: { TOLLGATE_DEMO: '' } })
  })
  test.afterAll(async () => {
    await stack?.stop()
  })

  test('sign-in offers no demo merchant and the home page no demo commands', async ({ page }) => {
    await page.goto(`${stack.url}/signin`)
    await expect(page.getByText('No wallet found in this browser')).toBeVisible()
    await expect(page.getByRole('button', { name: 'Sign in as the demo merchant' })).toHaveCount(0)
    const refused = await page.request.post(`${stack.url}/api/dashboard/auth/demo-signature`, { data: { message: 'x' } })
    expect(refused.status()).toBe(404)
    await page.goto(stack.url)
    await expect(page.getByRole('heading', { name: 'Put a price on any URL.' })).toBeVisible()
    await expect(page.getByTestId('terminal-commands')).toHaveCount(0)
  })
})
