// Helpers shared by the checkout specs: on-chain transfer counts, screenshots, and guards that
// fail a test when a page opens a dialog or violates its Content-Security-Policy.
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { expect, type Page } from '@playwright/test'
import { createPublicClient, http, parseAbiItem, type Address } from 'viem'
import { rootDir } from '@/scripts/app'

const transferEvent = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)')

/** Token transfers sent from `from` on the test chain so far. */
export async function transfersFrom(rpcUrl: string, token: Address, from: Address): Promise<Array<{ to: Address; value: bigint }>> {
  const client = createPublicClient({ transport: http(rpcUrl) })
  const logs = await client.getLogs({ address: token, event: transferEvent, args: { from }, fromBlock: 0n, toBlock: 'latest' })
  return logs.map((log) => ({ to: log.args.to!, value: log.args.value! }))
}

export const screenshotDir = path.join(rootDir, 'test-results', 'screenshots')

/** Full-page screenshots at desktop width and at a 360 px phone width, then back to desktop. */
export async function screenshotBothWidths(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true })
  const desktop = page.viewportSize() ?? { width: 1280, height: 720 }
  await page.screenshot({ path: path.join(screenshotDir, `${name}-desktop.png`), fullPage: true })
  await page.setViewportSize({ width: 360, height: 760 })
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), {
      message: 'no horizontal scrolling at 360 px',
    })
    .toBe(true)
  await page.screenshot({ path: path.join(screenshotDir, `${name}-phone.png`), fullPage: true })
  await page.setViewportSize(desktop)
}

/** Collects dialogs (alert/confirm) and CSP violations; call `assertClean()` at the end. */
export function guardPage(page: Page): { dialogs: string[]; cspViolations: string[]; assertClean(): void } {
  const dialogs: string[] = []
  const cspViolations: string[] = []
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text())
  })
  return {
    dialogs,
    cspViolations,
    assertClean() {
      expect(dialogs, 'no dialog may open').toEqual([])
      expect(cspViolations, 'no CSP violation').toEqual([])
    },
  }
}

/** Opens the checkout for `target` as a person would (through the link's 402 page) and connects `walletName`. */
export async function openAndConnect(page: Page, baseUrl: string, target: string, walletName = 'Test Wallet'): Promise<void> {
  await page.goto(`${baseUrl}${target}`)
  await expect(page).toHaveURL(new RegExp(`/pay\\?u=${encodeURIComponent(target).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`))
  await page.getByRole('button', { name: /Crypto wallet/ }).click()
  await page.getByRole('button', { name: walletName, exact: true }).click()
}
