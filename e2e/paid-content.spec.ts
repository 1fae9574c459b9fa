// Issue 12 item 1 acceptance: a merchant's proxied upstream answers HTML (and SVG) whose script tries to
// read the payer's dashboard session on Tollgate's origin. A person pays the window-grant link in the
// checkout, then opens the link top-level, as the grant allows: the script never runs (the page title it
// writes, the dashboard request and the report home it sends never happen); the bytes are a download.
import { expect, test, type BrowserContext, type Page } from '@playwright/test'
import { anvilPrivateKey } from '@/scripts/chain/deploy'
import { jsonInit, payWithMppx, signIn } from '@/test/dashboard/support'
import { startHostileUpstream, type HostileUpstream } from '@/test/support/hostile-upstream'
import { startStack, type Stack } from '@/test/support/stack'
import { installInjectedWallet } from './support/injected-wallet'

// Not serial: each test stands alone, so one failing does not hide the other.
test.describe('paid content on our origin', () => {
  let stack: Stack
  let upstream: HostileUpstream

  test.beforeAll(async () => {
    test.setTimeout(300_000)
    upstream = await startHostileUpstream()
    stack = await startStack()
    const merchant = await signIn(stack.url, anvilPrivateKey(0))
    for (const [slug, path] of [
      ['xss-html', '/html'],
      ['xss-svg', '/svg'],
    ]) {
      const created = await merchant.request(
        '/api/dashboard/links',
        jsonInit('POST', {
          slug,
          title: `Paid ${slug}`,
          price: '0.01',
          rails: ['evm'],
          resource: { kind: 'proxy', url: `${upstream.url}${path}` },
          accessPolicy: { kind: 'window', minutes: 60 },
        }),
      )
      expect(created.status, await created.text()).toBe(201)
    }
  })
  test.afterAll(async () => {
    await stack?.stop()
    await upstream?.stop()
  })

  /** Requests the page makes to our dashboard API: the script's first move. */
  function watchDashboardRequests(page: Page): string[] {
    const seen: string[] = []
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/dashboard')) seen.push(request.url())
    })
    return seen
  }

  /** Opens `url` top-level as a person would; returns the download it turned into, if any. */
  async function visitTopLevel(page: Page, url: string) {
    const download = page.waitForEvent('download', { timeout: 10_000 }).catch(() => null)
    // A download aborts the navigation: that is the expected outcome, not an error.
    await page.goto(url).catch(() => null)
    return download
  }

  async function expectScriptNeverRan(page: Page, dashboardRequests: string[], titleBefore: string) {
    expect(dashboardRequests, 'the script fetched the dashboard API from our origin').toEqual([])
    expect(await page.title(), 'the script wrote document.title').toBe(titleBefore)
    expect(upstream.hits('/ran'), 'the script reported that it ran').toBe(0)
    expect(upstream.hits('/exfil'), 'the script sent something home').toBe(0)
  }

  test('paying an HTML proxy link in the checkout, then opening it: the script never runs', async ({ browser }) => {
    const context: BrowserContext = await browser.newContext({ acceptDownloads: true })
    await installInjectedWallet(context, { rpcUrl: stack.chain.rpcUrl, chainId: stack.chain.chainId, privateKey: anvilPrivateKey(6) })
    const page = await context.newPage()
    const dashboardRequests = watchDashboardRequests(page)

    await page.goto(`${stack.url}/l/xss-html`)
    await expect(page).toHaveURL(/\/pay\?u=%2Fl%2Fxss-html$/)
    await page.getByRole('button', { name: /Crypto wallet/ }).click()
    await page.getByRole('button', { name: 'Test Wallet', exact: true }).click()
    await page.getByTestId('pay-button').click()
    await expect(page.getByRole('heading', { name: 'Payment complete' })).toBeVisible()
    // The checkout shows the paid HTML inertly: as a download, never rendered.
    await expect(page.getByTestId('resource-file-name')).toHaveText(/^xss-html/)
    const title = await page.title()
    expect(upstream.hits('/html')).toBe(1)

    // The window grant lets this browser open the link again: top-level, on our origin.
    const download = await visitTopLevel(page, `${stack.url}/l/xss-html`)
    await page.waitForTimeout(500)
    expect(upstream.hits('/html'), 'the grant delivered the upstream again').toBe(2)
    await expectScriptNeverRan(page, dashboardRequests, title)
    expect(download?.suggestedFilename()).toBe('xss-html.html')
    await context.close()
  })

  test('an SVG with a script, opened top-level with a paid grant: the script never runs', async ({ browser }) => {
    // Paid from a terminal; the browser holds the grant cookie the payment left.
    const paid = await payWithMppx(`${stack.url}/l/xss-svg`, anvilPrivateKey(7))
    expect(paid.status).toBe(200)
    const [name, value] = (paid.headers.get('set-cookie') ?? '').split(';')[0]!.split('=') as [string, string]
    const context = await browser.newContext({ acceptDownloads: true })
    await context.addCookies([{ name, value, domain: '127.0.0.1', path: '/l/xss-svg', httpOnly: true, sameSite: 'Lax' }])
    const page = await context.newPage()
    const dashboardRequests = watchDashboardRequests(page)
    await page.goto(`${stack.url}/api/health`)
    const title = await page.title()

    const download = await visitTopLevel(page, `${stack.url}/l/xss-svg`)
    await page.waitForTimeout(500)
    expect(upstream.hits('/svg')).toBe(2)
    await expectScriptNeverRan(page, dashboardRequests, title)
    expect(download?.suggestedFilename()).toBe('xss-svg.svg')
    await context.close()
  })
})
