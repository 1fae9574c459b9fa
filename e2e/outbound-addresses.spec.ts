// Issue 12 items 2 and 3 in the dashboard: a merchant who points a proxy link or the webhook endpoint at
// a non-public address (here a public-looking name that resolves to 127.0.0.1) reads why next to the
// field, and nothing is saved. The stack runs without ALLOW_PRIVATE_UPSTREAMS, resolving merchant hosts
// with a DNS server the test controls.
import { expect, test, type Page } from '@playwright/test'
import { anvilPrivateKey } from '@/scripts/chain/deploy'
import { signIn } from '@/test/dashboard/support'
import { startDnsServer, type DnsServer } from '@/test/support/dns-server'
import { startStack, type Stack } from '@/test/support/stack'

const refusal = 'api.rebound-merchant.com resolves to 127.0.0.1, a loopback address: Tollgate connects only to public addresses'

test.describe.serial('non-public addresses in the dashboard', () => {
  let dns: DnsServer
  let stack: Stack
  let page: Page

  test.beforeAll(async ({ browser }) => {
    test.setTimeout(300_000)
    dns = await startDnsServer()
    dns.set('api.rebound-merchant.com', ['127.0.0.1'])
    stack = await startStack({ env: { ALLOW_PRIVATE_UPSTREAMS: '0', UPSTREAM_DNS_SERVERS: dns.address } })
    const [name, value] = (await signIn(stack.url, anvilPrivateKey(0))).cookie.split('=') as [string, string]
    const context = await browser.newContext()
    await context.addCookies([{ name, value, domain: '127.0.0.1', path: '/', httpOnly: true, sameSite: 'Lax' }])
    page = await context.newPage()
  })
  test.afterAll(async () => {
    await stack?.stop()
    await dns?.stop()
  })

  test('the link editor explains why a proxied upstream on loopback is refused', async () => {
    await page.goto(`${stack.url}/dashboard/links/new`)
    await page.getByLabel('Title').fill('Internal API')
    await page.getByLabel('Price (USD)').fill('0.05')
    await page.getByLabel('Proxied API').check()
    await page.getByLabel('Upstream API URL').fill('https://api.rebound-merchant.com/v1')
    await page.getByTestId('save-link').click()
    await expect(page.locator('.alert.error')).toContainText('Some fields need a change')
    await expect(page.locator('label.field', { hasText: 'Upstream API URL' }).locator('.error')).toHaveText(refusal)
    await expect(page).toHaveURL(/\/dashboard\/links\/new$/)
  })

  test('the webhook form explains why an endpoint on loopback is refused', async () => {
    await page.goto(`${stack.url}/dashboard/webhooks`)
    await page.getByTestId('webhook-url').fill('https://api.rebound-merchant.com/hooks')
    await page.getByTestId('save-webhook').click()
    await expect(page.locator('.alert.error')).toHaveText(refusal)
  })
})
