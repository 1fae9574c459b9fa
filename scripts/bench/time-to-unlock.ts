// Benchmark 4: a person's time from opening a payment link to seeing what they paid for, on the
// wallet path with the demo "Test wallet" (system Chromium, launch options from playwright.config.ts).
// Each run is a fresh browser context, so no access grant from an earlier run unlocks it.
import { type Browser, type Page, chromium } from '@playwright/test'
import playwrightConfig from '@/playwright.config'
import { gzipSize } from './checkout-weight'
import { median, percentile } from './stats'

export type UnlockResult =
  | {
      available: true
      runs: number
      medianMs: number
      p90Ms: number
      minMs: number
      /** Median of each phase over the runs. */
      phasesMs: UnlockPhases
      walletPathJsGzipBytes: number
    }
  | { available: false; reason: string }

export type UnlockOptions = { baseUrl: string; linkPath: string; expectedText: string; runs: number }

const stepTimeoutMs = 30_000

/** The phases of one unlock, in ms: they add up to the whole. */
export type UnlockPhases = { checkout: number; wallet: number; pay: number }
const phaseNames: Array<keyof UnlockPhases> = ['checkout', 'wallet', 'pay']

/**
 * Open link -> checkout (the redirect and the page, interactive) -> Crypto wallet -> Test wallet (the wallet code
 * loaded, Pay enabled) -> Pay -> the resource is on screen (signing, settlement, the paid answer shown).
 */
async function unlockOnce(page: Page, options: UnlockOptions): Promise<{ total: number; phases: UnlockPhases }> {
  const started = performance.now()
  await page.goto(new URL(options.linkPath, options.baseUrl).toString())
  await page.waitForURL(/\/pay\?/, { timeout: stepTimeoutMs })
  await page.getByRole('button', { name: /crypto wallet/i }).click({ timeout: stepTimeoutMs })
  const checkoutShown = performance.now()
  await page.getByRole('button', { name: /test wallet/i }).click({ timeout: stepTimeoutMs })
  const pay = page.getByTestId('pay-button')
  await pay.waitFor({ state: 'visible', timeout: stepTimeoutMs })
  const walletReady = performance.now()
  await pay.click({ timeout: stepTimeoutMs })
  await page.getByText(options.expectedText, { exact: false }).first().waitFor({ state: 'visible', timeout: stepTimeoutMs })
  const done = performance.now()
  return {
    total: done - started,
    phases: { checkout: checkoutShown - started, wallet: walletReady - checkoutShown, pay: done - walletReady },
  }
}

/** Why the wallet path cannot be measured on this build, or null when it can. */
async function unavailable(browser: Browser, options: UnlockOptions): Promise<string | null> {
  const checkout = await fetch(new URL(`/pay?u=${encodeURIComponent(options.linkPath)}`, options.baseUrl), {
    headers: { accept: 'text/html' },
  })
  if (checkout.status === 404) return 'not available yet: this build has no checkout page (/pay)'
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await page.goto(new URL(`/pay?u=${encodeURIComponent(options.linkPath)}`, options.baseUrl).toString())
    const wallet = page.getByRole('button', { name: /crypto wallet/i })
    if (!(await wallet.isVisible({ timeout: 10_000 }).catch(() => false)))
      return 'not available yet: the checkout has no "Crypto wallet" choice'
    await wallet.click({ timeout: 10_000 })
    const test = page.getByRole('button', { name: /test wallet/i })
    await test.waitFor({ state: 'visible', timeout: 15_000 }).catch(() => {})
    if (!(await test.isVisible())) return 'not available yet: the checkout offers no demo "Test wallet"'
    return null
  } finally {
    await context.close()
  }
}

export async function measure(options: UnlockOptions): Promise<UnlockResult> {
  const launchOptions = playwrightConfig.use?.launchOptions ?? {}
  let browser: Browser
  try {
    browser = await chromium.launch(launchOptions)
  } catch (error) {
    return { available: false, reason: `Chromium could not start: ${(error as Error).message.split('\n')[0]}` }
  }
  try {
    const reason = await unavailable(browser, options)
    if (reason) return { available: false, reason }
    const times: number[] = []
    const phases: UnlockPhases[] = []
    let walletPathJsGzipBytes = 0
    for (let run = 0; run < options.runs; run++) {
      const context = await browser.newContext()
      const page = await context.newPage()
      const scripts: Array<Promise<number>> = []
      // The first run also weighs every script the wallet path loads (lazy chunks included).
      if (run === 0)
        page.on('response', (response) => {
          if (response.request().resourceType() === 'script') scripts.push(response.body().then(gzipSize, () => 0))
        })
      try {
        const unlocked = await unlockOnce(page, options)
        times.push(unlocked.total)
        phases.push(unlocked.phases)
      } catch (error) {
        return { available: false, reason: `the wallet path failed on run ${run + 1}: ${(error as Error).message.split('\n')[0]}` }
      } finally {
        if (run === 0) walletPathJsGzipBytes = (await Promise.all(scripts)).reduce((a, b) => a + b, 0)
        await context.close()
      }
    }
    return {
      available: true,
      runs: times.length,
      medianMs: median(times),
      p90Ms: percentile(times, 90),
      minMs: Math.min(...times),
      phasesMs: Object.fromEntries(phaseNames.map((name) => [name, median(phases.map((p) => p[name]))])) as UnlockPhases,
      walletPathJsGzipBytes,
    }
  } finally {
    await browser.close()
  }
}
