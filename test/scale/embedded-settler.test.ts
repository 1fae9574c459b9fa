// The settler's cross-instance lock must never engage on the embedded database: PGlite queues every
// query behind an open transaction, so a lock transaction around the settlement's own writes hangs
// the payment. Next.js loads route handlers and pages in separate module layers, so the check cannot
// be `instanceof` (a handle first opened by a page carries the page layer's drizzle classes).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type Stack, startStack } from '@/test/support/stack'
import { mppCredential, payer } from './internal/payers'

describe('embedded database (PGlite): the settler lock stays out of the way', () => {
  let stack: Stack
  before(async () => {
    stack = await startStack()
  })
  after(async () => {
    await stack?.stop()
  })

  test('a dashboard page opens the database first; a payment afterwards still settles promptly', async () => {
    const page = await fetch(`${stack.url}/dashboard`, { redirect: 'manual' })
    await page.body?.cancel()
    assert.ok(page.status < 500, `the dashboard answered ${page.status}`)
    const credential = await mppCredential(payer(1), await fetch(`${stack.url}/l/demo`))
    const paid = await fetch(`${stack.url}/l/demo`, { headers: { authorization: credential }, signal: AbortSignal.timeout(20_000) })
    assert.equal(paid.status, 200, await paid.text())
  })
})
