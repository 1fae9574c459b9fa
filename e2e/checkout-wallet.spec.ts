// Issue 5 acceptance, wallet half: a person opens a paid link in a browser, is led to the checkout,
// pays with an injected wallet (EIP-6963, switching and adding the chain), sees the resource and a
// receipt; the chain shows exactly one transfer; a reload within the window does not ask again.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { rootDir } from '@/scripts/app'
import { anvilPrivateKey } from '@/scripts/chain/deploy'
import { startStack, type Stack } from '@/test/support/stack'
import { guardPage, screenshotBothWidths, transfersFrom } from './support/checkout'
import { installInjectedWallet } from './support/injected-wallet'

test.describe.serial('wallet checkout', () => {
  let stack: Stack
  let receiptPath = ''
  let paidTx = ''

  test.beforeAll(async () => {
    test.setTimeout(300_000)
    stack = await startStack()
  })
  test.afterAll(async () => {
    await stack?.stop()
  })

  test('a new visitor pays /l/demo with an injected wallet, sees the JSON and a receipt; reload does not ask again', async ({
    browser,
  }) => {
    const context = await browser.newContext()
    // The wallet starts on Ethereum mainnet and does not know the local chain: the checkout must switch and add it.
    const wallet = await installInjectedWallet(context, {
      rpcUrl: stack.chain.rpcUrl,
      chainId: stack.chain.chainId,
      privateKey: anvilPrivateKey(2),
      startChainId: 1,
    })
    const page = await context.newPage()
    const guard = guardPage(page)
    const scripts: string[] = []
    page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(request.url())
    })

    const first = await page.goto(`${stack.url}/l/demo`)
    expect(first?.status()).toBe(402)
    await expect(page).toHaveURL(/\/pay\?u=%2Fl%2Fdemo$/)
    await expect(page.getByTestId('checkout-title')).toHaveText('Demo: a JSON fortune')
    await expect(page.getByTestId('checkout-price')).toHaveText('$0.01')
    await expect(page.getByTestId('terms-amount')).toContainText('0.01 USDC')
    await expect(page.getByTestId('terms-recipient')).toHaveText(stack.merchant)
    await expect(page.getByTestId('terms-token')).toHaveText(stack.chain.token)
    await expect(page.getByTestId('terms-network')).toHaveText('Local test chain (chain ID 31337)')
    await expect(page.getByTestId('terms-origin')).toHaveText(stack.url)
    await expect(page.getByTestId('card-absent')).toHaveText(/Card payments are not set up for this link/)
    await screenshotBothWidths(page, 'checkout-before')

    // Wallet code loads only once the payer points at the wallet choice (so it is often there by the click).
    const scriptsBeforeChoice = scripts.length
    await page.getByRole('button', { name: /Crypto wallet/ }).hover()
    await expect
      .poll(() => scripts.length, { message: 'pointing at "Crypto wallet" starts loading the wallet code' })
      .toBeGreaterThan(scriptsBeforeChoice)
    await page.getByRole('button', { name: /Crypto wallet/ }).click()
    await expect(page.getByRole('button', { name: 'Test Wallet', exact: true })).toBeVisible()

    // The layout below the wallet list must not jump when the wallet connects.
    const panel = page.locator('.method-panel')
    const heightBefore = (await panel.boundingBox())!.height
    await page.getByRole('button', { name: 'Test Wallet', exact: true }).click()
    await expect(page.getByTestId('pay-button')).toBeEnabled()
    expect(Math.abs((await panel.boundingBox())!.height - heightBefore), 'no layout shift on connect').toBeLessThan(24)
    expect(wallet.addedChains).toHaveLength(1)
    expect(wallet.addedChains[0]).toMatchObject({ chainId: '0x7a69', rpcUrls: [stack.chain.rpcUrl] })
    await expect(page.getByText('Balance: 1,000.00 USDC')).toBeVisible()
    await screenshotBothWidths(page, 'checkout-wallet-ready')

    await page.getByTestId('pay-button').click()
    await expect(page.getByRole('heading', { name: 'Payment complete' })).toBeVisible()
    await expect(page.getByTestId('resource-text')).toContainText(
      '"fortune": "A well-formed 402 is the beginning of a beautiful friendship."',
    )
    await expect(page.getByTestId('receipt-amount')).toHaveText('0.01 USDC')
    paidTx = (await page.getByTestId('receipt-reference').textContent())!
    expect(paidTx).toMatch(/^0x[0-9a-f]{64}$/)
    receiptPath = (await page.getByTestId('receipt-link').getAttribute('href'))!
    expect(receiptPath).toMatch(/^\/receipts\/pay_[A-Za-z0-9_-]+$/)
    await screenshotBothWidths(page, 'checkout-after')

    const transfers = await transfersFrom(stack.chain.rpcUrl, stack.chain.token, wallet.address)
    expect(transfers).toEqual([{ to: stack.merchant, value: 10_000n }])
    expect(wallet.calls.filter((m) => m === 'eth_signTypedData_v4')).toHaveLength(1)
    expect(wallet.calls, 'the payer sends no transaction (the server pays the gas)').not.toContain('eth_sendTransaction')

    // Reload within the 60-minute window: the link serves the resource itself, no payment.
    const again = await page.goto(`${stack.url}/l/demo`)
    expect(again?.status()).toBe(200)
    expect(await again?.json()).toEqual({ fortune: 'A well-formed 402 is the beginning of a beautiful friendship.', paid: true })
    await page.goto(`${stack.url}/pay?u=%2Fl%2Fdemo`)
    await expect(page.getByRole('heading', { name: 'You already have access' })).toBeVisible()
    await expect(page.getByTestId('resource-text')).toContainText('beautiful friendship')
    expect(await transfersFrom(stack.chain.rpcUrl, stack.chain.token, wallet.address)).toHaveLength(1)
    guard.assertClean()
    await context.close()
  })

  test('the receipt page shows the payment later; unknown ids are a 404 page', async ({ page }) => {
    expect(receiptPath).not.toBe('')
    const response = await page.goto(`${stack.url}${receiptPath}`)
    expect(response?.status()).toBe(200)
    expect(response?.headers()['referrer-policy']).toBe('no-referrer')
    await expect(page.getByRole('heading', { name: 'Demo: a JSON fortune' })).toBeVisible()
    await expect(page.getByTestId('receipt-price')).toHaveText('$0.01')
    await expect(page.getByTestId('receipt-amount')).toHaveText('0.01 USDC')
    await expect(page.getByTestId('receipt-method')).toHaveText('USDC on Local test chain')
    await expect(page.getByTestId('receipt-reference')).toHaveText(paidTx)
    await expect(page.getByTestId('receipt-time')).toHaveText(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC$/)
    await expect(page.getByTestId('receipt-resource-link')).toHaveAttribute('href', '/l/demo')
    await screenshotBothWidths(page, 'receipt-page')

    const missing = await page.goto(`${stack.url}/receipts/pay_AAAAAAAAAAAAAAAAAAAAAA`)
    expect(missing?.status()).toBe(404)
    await expect(page.getByRole('heading', { name: 'Receipt not found' })).toBeVisible()
    const malformed = await page.goto(`${stack.url}/receipts/..%2F..%2Fetc`)
    expect(malformed?.status()).toBe(404)
  })

  test('a file link downloads with its real name and bytes after payment', async ({ browser }) => {
    const context = await browser.newContext({ acceptDownloads: true })
    const wallet = await installInjectedWallet(context, {
      rpcUrl: stack.chain.rpcUrl,
      chainId: stack.chain.chainId,
      privateKey: anvilPrivateKey(4),
    })
    const page = await context.newPage()
    const guard = guardPage(page)
    await page.goto(`${stack.url}/l/demo-file`)
    await expect(page).toHaveURL(/\/pay\?u=%2Fl%2Fdemo-file$/)
    await expect(page.getByText('File: tollgate-field-guide.md')).toBeVisible()
    await page.getByRole('button', { name: /Crypto wallet/ }).click()
    await page.getByRole('button', { name: 'Test Wallet', exact: true }).click()
    await expect(page.getByTestId('pay-button')).toHaveText('Pay 0.50 USDC')
    const download = page.waitForEvent('download')
    await page.getByTestId('pay-button').click()
    const file = await download
    expect(file.suggestedFilename()).toBe('tollgate-field-guide.md')
    const bytes = readFileSync((await file.path())!)
    expect(bytes.equals(readFileSync(path.join(rootDir, 'scripts', 'demo-assets', 'field-guide.md')))).toBe(true)
    await expect(page.getByTestId('resource-file-name')).toHaveText('tollgate-field-guide.md')
    expect(await transfersFrom(stack.chain.rpcUrl, stack.chain.token, wallet.address)).toEqual([{ to: stack.merchant, value: 500_000n }])
    guard.assertClean()
    await context.close()
  })

  test('the demo test wallet pays without any extension (proxied API link)', async ({ page }) => {
    const guard = guardPage(page)
    await page.goto(`${stack.url}/l/demo-api`)
    await page.getByRole('button', { name: /Crypto wallet/ }).click()
    await expect(page.getByTestId('no-wallet')).toContainText('No browser wallet found')
    await page.getByRole('button', { name: /Test wallet/ }).click()
    await expect(page.getByTestId('wallet-address')).toHaveText('0x70997970C51812dc3A010C7d01b50e0d17dc79C8')
    await page.getByTestId('pay-button').click()
    await expect(page.getByRole('heading', { name: 'Payment complete' })).toBeVisible()
    await expect(page.getByTestId('resource-text')).not.toBeEmpty()
    expect(await transfersFrom(stack.chain.rpcUrl, stack.chain.token, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8')).toEqual([
      { to: stack.merchant, value: 20_000n },
    ])
    guard.assertClean()
  })

  test('the whole payment works from the keyboard alone', async ({ browser }) => {
    const context = await browser.newContext()
    const wallet = await installInjectedWallet(context, {
      rpcUrl: stack.chain.rpcUrl,
      chainId: stack.chain.chainId,
      privateKey: anvilPrivateKey(3),
    })
    const page = await context.newPage()
    await page.goto(`${stack.url}/l/demo`)
    await expect(page.getByTestId('terms-amount')).toContainText('0.01 USDC')
    const tabTo = async (name: RegExp) => {
      for (let i = 0; i < 30; i++) {
        await page.keyboard.press('Tab')
        const focused = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.innerText ?? '')
        if (name.test(focused)) {
          // Focus is visible: the focused control draws an outline.
          expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe('none')
          return
        }
      }
      throw new Error(`could not reach ${name} with Tab`)
    }
    await tabTo(/Crypto wallet/)
    await page.keyboard.press('Enter')
    await tabTo(/^Test Wallet$/)
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('pay-button')).toBeEnabled()
    await tabTo(/^Pay 0\.01 USDC$/)
    await page.keyboard.press('Enter')
    await expect(page.getByRole('heading', { name: 'Payment complete' })).toBeFocused()
    expect(await transfersFrom(stack.chain.rpcUrl, stack.chain.token, wallet.address)).toHaveLength(1)
    await context.close()
  })

  test('programs keep problem+json; browsers get the same challenges with an HTML page that leads to the checkout', async ({ page }) => {
    const agent = await fetch(`${stack.url}/l/demo`, { headers: { accept: 'application/json' } })
    expect(agent.status).toBe(402)
    expect(agent.headers.get('content-type')).toBe('application/problem+json')
    // (Node's fetch rewrites Sec-Fetch-Mode; Playwright's request context sends it as given.)
    const browserLike = await page.request.get(`${stack.url}/l/demo`, {
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'sec-fetch-mode': 'navigate' },
      maxRedirects: 0,
    })
    expect(browserLike.status()).toBe(402)
    expect(browserLike.headers()['content-type']).toMatch(/^text\/html/)
    expect(browserLike.headers()['www-authenticate']).toMatch(
      /^Payment id="[^"]+", realm="127\.0\.0\.1:\d+", method="evm", intent="charge"/,
    )
    expect(browserLike.headers()['payment-required']).toBeTruthy()
    expect(await browserLike.text()).toContain('<a href="/pay?u=%2Fl%2Fdemo">Continue to checkout</a>')

    // A withPayment route works the same way.
    await page.goto(`${stack.url}/api/examples/joke`)
    await expect(page).toHaveURL(/\/pay\?u=%2Fapi%2Fexamples%2Fjoke$/)
    await expect(page.getByRole('heading', { name: 'A joke, freshly told' })).toBeVisible()
    await expect(page.getByTestId('terms-amount')).toContainText('0.01 USDC')

    // The checkout refuses to pay anything but a path on this origin.
    await page.goto(`${stack.url}/pay?u=${encodeURIComponent('https://evil.example/l/demo')}`)
    await expect(page.getByRole('heading', { name: 'Nothing to pay here' })).toBeVisible()
    const csp = (await page.request.get(`${stack.url}/pay?u=%2Fl%2Fdemo`)).headers()['content-security-policy']!
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/)
    expect(csp).not.toContain('unsafe-inline')
    expect(csp).toContain("frame-ancestors 'none'")

    // The checkout's own bundle: listed files are served for a year; nothing else in the build folder is.
    const page402 = await (await page.request.get(`${stack.url}/pay?u=%2Fl%2Fdemo`)).text()
    const entry = /<script type="module" src="(\/checkout-assets\/checkout-[A-Z0-9]+\.js)"/.exec(page402)?.[1]
    expect(entry).toBeTruthy()
    const script = await page.request.get(`${stack.url}${entry}`)
    expect(script.status()).toBe(200)
    expect(script.headers()['content-type']).toBe('text/javascript; charset=utf-8')
    expect(script.headers()['cache-control']).toBe('public, max-age=31536000, immutable')
    for (const probe of ['manifest.json', 'metafile.json', '..%2FBUILD_ID', '..%2F..%2Fpackage.json', 'checkout-NOPE.js'])
      expect((await page.request.get(`${stack.url}/checkout-assets/${probe}`)).status(), probe).toBe(404)
  })
})
