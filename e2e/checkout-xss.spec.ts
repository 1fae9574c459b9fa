// Issue 5 acceptance: merchant-authored titles and descriptions are text. Links whose title and
// description are script and markup injections render them literally on the checkout; no dialog
// opens, no injected element appears, and the page's CSP reports no violation.
import path from 'node:path'
import { expect, test } from '@playwright/test'
import * as Links from '@/lib/links'
import * as Merchants from '@/lib/merchants'
import { openDb } from '@/lib/store/db'
import { startApp } from '@/scripts/app'
import { startStack, type Stack } from '@/test/support/stack'
import { guardPage } from './support/checkout'

const scriptTag = '</script><script>alert(1)</script>'
const imgTag = '"><img src=x onerror=alert(1)>'

test.describe.serial('merchant text on the checkout', () => {
  let stack: Stack

  test.beforeAll(async () => {
    test.setTimeout(300_000)
    stack = await startStack()
    // PGlite has one owner at a time: stop the app, add the links, start it again on the same port.
    const app = stack.apps[0]!
    await app.stop()
    const store = await openDb({ dataDir: path.join(stack.dataDir, 'db') })
    const merchant = await Merchants.ensureMerchant(store.db, stack.merchant)
    const inline = { kind: 'inline', contentType: 'text/plain', body: 'paid text' }
    await Links.createLink(store.db, merchant.id, {
      slug: 'xss-script',
      title: scriptTag,
      description: imgTag,
      price: '0.01',
      rails: ['evm'],
      resource: inline,
    })
    await Links.createLink(store.db, merchant.id, {
      slug: 'xss-img',
      title: imgTag,
      description: scriptTag,
      price: '0.01',
      rails: ['evm'],
      resource: inline,
    })
    await store.close()
    stack.apps[0] = await startApp({ port: app.port, env: stack.env, quiet: true })
  })
  test.afterAll(async () => {
    await stack?.stop()
  })

  for (const [slug, title, description] of [
    ['xss-script', scriptTag, imgTag],
    ['xss-img', imgTag, scriptTag],
  ] as const) {
    test(`/l/${slug}: the title and description render as text`, async ({ page }) => {
      const guard = guardPage(page)
      await page.goto(`${stack.url}/l/${slug}`)
      await expect(page).toHaveURL(new RegExp(`/pay\\?u=%2Fl%2F${slug}$`))
      await expect(page.getByTestId('checkout-title')).toHaveText(title)
      await expect(page.getByTestId('checkout-description')).toHaveText(description)
      await expect(page.getByTestId('terms-amount')).toContainText('0.01 USDC')
      // Opening the wallet path renders the challenge's description too (it echoes the title).
      await page.getByRole('button', { name: /Crypto wallet/ }).click()
      await expect(page.getByRole('button', { name: /Test wallet/ })).toBeVisible()
      await expect(page.locator('img[src="x"]')).toHaveCount(0)
      expect(
        await page.evaluate(
          () => document.querySelectorAll('script:not([src])').length === document.querySelectorAll('script[nonce]:not([src])').length,
        ),
      ).toBe(true)
      expect(await page.content()).not.toContain('<img src=x')
      guard.assertClean()

      // The 402 document a browser gets first never carries merchant text at all.
      const first402 = await page.request.get(`${stack.url}/l/${slug}`, {
        headers: { accept: 'text/html', 'sec-fetch-mode': 'navigate' },
        maxRedirects: 0,
      })
      expect(first402.status()).toBe(402)
      expect(first402.headers()['content-type']).toMatch(/^text\/html/)
      expect(await first402.text()).not.toContain('alert(1)')
    })
  }
})
