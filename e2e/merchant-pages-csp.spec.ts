// Issue 12 item 12: /signin and /dashboard send a per-request nonce Content-Security-Policy with
// frame-ancestors 'none'. A script injected into their HTML (as an HTML-injection bug would put it
// there) does not run, another site cannot frame them, and the pages still sign in and hydrate.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect, test, type Page } from '@playwright/test'
import { anvilPrivateKey } from '@/scripts/chain/deploy'
import { startStack, type Stack } from '@/test/support/stack'
import { guardPage } from './support/checkout'
import { installInjectedWallet } from './support/injected-wallet'

/** Serves every document under `path` with an inline script spliced into its <head>, headers unchanged. */
async function injectInlineScript(page: Page, url: string): Promise<void> {
  await page.route(url, async (route) => {
    // Documents only: the dashboard's RSC prefetches match too, and the client aborts some of them
    // while a handler still holds them, which fails the handler ("Route is already handled").
    if (route.request().resourceType() !== 'document') return route.fallback()
    const response = await route.fetch()
    const html = await response.text()
    const body = html.replace('<head>', '<head><script>window.__injected = true</script>')
    await route.fulfill({ response, body })
  })
}

/** CSP violations the page itself reports (securitypolicyviolation events), collected from the start. */
async function recordViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = []
    Object.defineProperty(window, '__violations', { value: seen })
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.blockedURI}`))
  })
}

/** The injected inline script was refused, and nothing of the page's own (scripts, styles, images). */
function expectOnlyTheInjectedScriptRefused(seen: string[]): void {
  expect(seen.length, seen.join('\n')).toBeGreaterThan(0)
  for (const violation of seen) expect(violation).toMatch(/^script-src(-elem)? inline$/)
}

const violations = (page: Page) => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)
const injected = (page: Page) => page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected ?? false)

test.describe.serial('merchant pages: nonce CSP and no framing', () => {
  let stack: Stack
  let page: Page
  let framer: Server

  test.beforeAll(async ({ browser }) => {
    test.setTimeout(300_000)
    stack = await startStack()
    const context = await browser.newContext()
    await installInjectedWallet(context, { rpcUrl: stack.chain.rpcUrl, chainId: stack.chain.chainId, privateKey: anvilPrivateKey(0) })
    page = await context.newPage()
    await recordViolations(page)
    // Another origin (another port) that tries to frame the merchant pages.
    framer = createServer((request, response) => {
      const target = new URL(request.url ?? '/', 'http://x').searchParams.get('src') ?? ''
      response.writeHead(200, { 'content-type': 'text/html' })
      response.end(`<!doctype html><title>framer</title><iframe id="f" src="${target.replace(/"/g, '')}"></iframe>`)
    })
    await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve))
  })
  test.afterAll(async () => {
    await new Promise((resolve) => framer?.close(resolve))
    await stack?.stop()
  })

  test('both pages carry a nonce policy that forbids inline script and framing', async () => {
    for (const path of ['/signin', '/dashboard']) {
      const response = await fetch(`${stack.url}${path}`, { redirect: 'manual' })
      const policy = response.headers.get('content-security-policy') ?? ''
      expect(policy, path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'/)
      expect(policy, path).toContain("frame-ancestors 'none'")
      expect(policy, path).not.toMatch(/script-src[^;]*'unsafe-inline'/)
      expect(response.headers.get('x-frame-options'), path).toBe('DENY')
    }
    // A fresh nonce on every response.
    const policies = await Promise.all([1, 2].map(async () => (await fetch(`${stack.url}/signin`)).headers.get('content-security-policy')))
    expect(policies[0]).not.toBe(policies[1])
  })

  test('a script injected into /signin does not run; the page still signs in', async () => {
    const guard = guardPage(page)
    await injectInlineScript(page, `${stack.url}/signin**`)
    await page.goto(`${stack.url}/signin?next=%2Fdashboard`)
    await expect(page.getByRole('heading', { name: 'Sign in to your dashboard' })).toBeVisible()
    expect(await injected(page)).toBe(false)
    expectOnlyTheInjectedScriptRefused(await violations(page))
    // Next's own scripts carry the nonce: the page hydrates and the wallet button works.
    await page.getByRole('button', { name: 'Sign in with Test Wallet' }).click()
    await expect(page).toHaveURL(`${stack.url}/dashboard`)
    // A handler may still be rewriting a prefetch the page abandoned: its late error is not this test's.
    await page.unrouteAll({ behavior: 'ignoreErrors' })
    expect(guard.dialogs).toEqual([])
  })

  test('a script injected into /dashboard does not run; the dashboard still works', async () => {
    await injectInlineScript(page, `${stack.url}/dashboard**`)
    await page.goto(`${stack.url}/dashboard/links`)
    await expect(page.getByTestId('signed-in-address')).toHaveAttribute('title', stack.merchant)
    expect(await injected(page)).toBe(false)
    expectOnlyTheInjectedScriptRefused(await violations(page))
    // Client-side navigation (hydrated React) still works under the policy.
    await page.getByRole('link', { name: 'Overview' }).first().click()
    await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible()
    await page.unrouteAll({ behavior: 'ignoreErrors' })
  })

  test('another site cannot frame /signin or /dashboard', async () => {
    const { port } = framer.address() as AddressInfo
    for (const path of ['/signin', '/dashboard']) {
      const refusals: string[] = []
      const listener = (message: { text(): string }) => {
        if (/frame-ancestors|Refused to (display|frame)/i.test(message.text())) refusals.push(message.text())
      }
      page.on('console', listener)
      await page.goto(`http://127.0.0.1:${port}/?src=${encodeURIComponent(`${stack.url}${path}`)}`)
      const child = () => page.frames().find((f) => f !== page.mainFrame())
      // Refused: the browser says so, and the frame holds its error page, never the merchant page.
      await expect
        .poll(() => refusals.length > 0 || (child()?.url() ?? '').startsWith('chrome-error:'), { message: `${path} refused in a frame` })
        .toBe(true)
      expect(
        await child()!
          .getByRole('heading', { name: /Sign in to your dashboard|Overview/ })
          .count(),
      ).toBe(0)
      page.off('console', listener)
    }
  })
})
