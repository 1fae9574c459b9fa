import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { describeEachDatabase } from '@/test/support/databases'
import type { DbHandle } from './db'
import { settlementQuota } from './schema'
import * as SettlementQuota from './settlement-quota'

describeEachDatabase('settlement quota store', (factory) => {
  let handle: DbHandle
  before(async () => {
    handle = await factory.open()
  })
  after(async () => {
    await handle?.close()
  })

  const minute = 60_000
  const start = 1_700_000_040_000 // a minute boundary

  test('twenty concurrent settlements of one merchant with a limit of 3: exactly 3 go through', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => SettlementQuota.take(handle.db, { scope: 'merchant:race', limit: 3, now: start + 1_000 })),
    )
    assert.equal(results.filter((r) => r.taken).length, 3)
    for (const refused of results.filter((r) => !r.taken)) assert.deepEqual(refused, { taken: false, retryAfterSeconds: 59 })
  })

  test('the limit is per scope and per minute: another merchant, or the next minute, starts from zero', async () => {
    const take = (scope: string, now: number) => SettlementQuota.take(handle.db, { scope, limit: 1, now })
    assert.deepEqual(await take('merchant:a', start + 59_500), { taken: true })
    assert.deepEqual(await take('merchant:a', start + 59_600), { taken: false, retryAfterSeconds: 1 })
    assert.deepEqual(await take('merchant:b', start + 59_700), { taken: true })
    assert.deepEqual(await take('merchant:a', start + minute), { taken: true })
  })

  test('windows older than an hour are deleted when a new window opens', async () => {
    await SettlementQuota.take(handle.db, { scope: 'merchant:old', limit: 5, now: start })
    await SettlementQuota.take(handle.db, { scope: 'merchant:new', limit: 5, now: start + 61 * minute })
    const rows = await handle.db.select().from(settlementQuota)
    assert.ok(!rows.some((r) => r.scope === 'merchant:old'))
    assert.ok(rows.some((r) => r.scope === 'merchant:new'))
  })
})
