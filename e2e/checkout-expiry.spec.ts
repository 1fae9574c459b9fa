// Issue 5 acceptance: challenges that lapse. With 10-second challenges, a checkout left open is
// renewed silently before signing; a signature that arrives after expiry is not submitted, the
// payer reads why, and nothing moves until they pay the renewed request.
import { expect, test } from '@playwright/test'
import { anvilPrivateKey } from '@/scripts/chain/deploy'
import { startStack, type Stack } from '@/test/support/stack'
import { openAndConnect, transfersFrom } from './support/checkout'
import { installInjectedWallet } from './support/injected-wallet'

test.describe.serial('expiring challenges', () => {
  let stack: Stack

  test.beforeAll(async () => {
    test.setTimeout(300_000)
    stack = await startStack({ env: { CHALLENGE_TTL_SECONDS: '10' } })
  })
  test.afterAll(async () => {
    await stack?.stop()
  })

  test('a challenge that expired while the page was open is renewed silently', async ({ page }) => {
    const wallet = await installInjectedWallet(page, {
      rpcUrl: stack.chain.rpcUrl,
      chainId: stack.chain.chainId,
      privateKey: anvilPrivateKey(5),
    })
    let challengeFetches = 0
    page.on('request', (request) => {
      if (request.url().endsWith('/l/demo') && request.headers().accept === 'application/json' && !request.headers().authorization)
        challengeFetches++
    })
    await openAndConnect(page, stack.url, '/l/demo')
    await expect(page.getByTestId('pay-button')).toHaveText('Pay 0.01 USDC')
    await page.waitForTimeout(11_000)
    const before = challengeFetches
    await page.getByTestId('pay-button').click()
    await expect(page.getByRole('heading', { name: 'Payment complete' })).toBeVisible()
    expect(challengeFetches, 'a fresh challenge was fetched before signing').toBeGreaterThan(before)
    expect(await transfersFrom(stack.chain.rpcUrl, stack.chain.token, wallet.address)).toHaveLength(1)
  })

  test('a signature that arrives after the challenge expired is not submitted', async ({ page }) => {
    test.setTimeout(120_000)
    const wallet = await installInjectedWallet(page, {
      rpcUrl: stack.chain.rpcUrl,
      chainId: stack.chain.chainId,
      privateKey: anvilPrivateKey(6),
    })
    let credentials = 0
    page.on('request', (request) => {
      if (request.headers().authorization?.startsWith('Payment ')) credentials++
    })
    wallet.knobs.signDelayMs = 12_000
    await openAndConnect(page, stack.url, '/l/demo')
    await page.getByTestId('pay-button').click()
    await expect(page.getByTestId('wallet-notice')).toHaveText(
      'The payment request expired while waiting for your signature. Nothing was charged. Review the renewed request and pay again.',
      { timeout: 30_000 },
    )
    expect(credentials).toBe(0)
    expect(await transfersFrom(stack.chain.rpcUrl, stack.chain.token, wallet.address)).toEqual([])

    wallet.knobs.signDelayMs = 0
    await page.getByTestId('pay-button').click()
    await expect(page.getByRole('heading', { name: 'Payment complete' })).toBeVisible()
    expect(await transfersFrom(stack.chain.rpcUrl, stack.chain.token, wallet.address)).toHaveLength(1)
  })
})
