import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { sql } from 'drizzle-orm'
import { describeEachDatabase } from '@/test/support/databases'
import { openDb, type DbHandle } from './db'
import * as Payments from './payments'
import * as Settlements from './settlements'

describeEachDatabase('settlements store', (factory) => {
  let handle: DbHandle
  before(async () => {
    handle = await factory.open()
  })
  after(async () => {
    await handle?.close()
  })

  test('a replay key can be claimed once; later claims see the first record', async () => {
    const first = await Settlements.claim(handle.db, { replayKey: 'k1', rail: 'evm', payer: '0xabc', amount: '10000' })
    assert.equal(first.claimed, true)
    assert.equal(first.settlement.status, 'claimed')
    const second = await Settlements.claim(handle.db, { replayKey: 'k1', rail: 'evm' })
    assert.equal(second.claimed, false)
    assert.equal(second.settlement.payer, '0xabc')
  })

  test('fifty concurrent claims of one key: exactly one wins', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => Settlements.claim(handle.db, { replayKey: 'race', rail: 'evm' })))
    assert.equal(results.filter((r) => r.claimed).length, 1)
  })

  test('claimed -> submitted -> settled is durable, and listByStatus finds in-flight records', async () => {
    await Settlements.claim(handle.db, { replayKey: 'k2', rail: 'evm' })
    await Settlements.markSubmitted(handle.db, 'k2', '0xhash')
    assert.deepEqual(
      (await Settlements.listByStatus(handle.db, 'submitted')).map((s) => s.replayKey),
      ['k2'],
    )
    await Settlements.markSettled(handle.db, 'k2', '0xhash')
    const s = await Settlements.get(handle.db, 'k2')
    assert.equal(s?.status, 'settled')
    assert.equal(s?.txHash, '0xhash')
  })

  test('only failed settlements can be reclaimed, and only by one caller', async () => {
    await Settlements.claim(handle.db, { replayKey: 'k3', rail: 'evm' })
    assert.equal(await Settlements.reclaimFailed(handle.db, 'k3'), false)
    await Settlements.markFailed(handle.db, 'k3', 'simulation reverted')
    const wins = await Promise.all([Settlements.reclaimFailed(handle.db, 'k3'), Settlements.reclaimFailed(handle.db, 'k3')])
    assert.deepEqual(wins.sort(), [false, true])
    assert.equal((await Settlements.get(handle.db, 'k3'))?.status, 'claimed')
  })

  test('settled records without a payment row, idle for a while but not ancient, are found for recording', async () => {
    const settle = async (replayKey: string, rail: string, age: string) => {
      await Settlements.claim(handle.db, { replayKey, rail })
      await Settlements.markSettled(handle.db, replayKey, '0xsettled')
      await handle.db.execute(sql`UPDATE settlements SET updated_at = now() - ${age}::interval WHERE replay_key = ${replayKey}`)
    }
    await settle('u-idle', 'evm', '2 minutes')
    await settle('u-recent', 'evm', '1 second')
    await settle('u-recorded', 'evm', '2 minutes')
    await settle('u-ancient', 'evm', '3 days')
    await settle('u-stripe', 'stripe', '2 minutes')
    await Payments.recordOnce(handle.db, {
      settlementKey: 'u-recorded',
      resourceKey: 'link:x',
      protocol: 'mpp',
      method: 'evm',
      amount: '1',
      currency: '0xtoken',
      amountUsd: '0.01',
      reference: '0xsettled',
      receipt: {},
    })
    const found = await Settlements.listSettledWithoutPayment(handle.db, { rail: 'evm', idleMs: 60_000, withinMs: 86_400_000, limit: 10 })
    assert.deepEqual(found, ['u-idle'])
  })

  test('the database refuses an unknown settlement status', async () => {
    await assert.rejects(handle.db.execute(sql`INSERT INTO settlements (replay_key, rail, status) VALUES ('bad', 'evm', 'paid')`))
  })

  if (factory.name === 'postgres') {
    test('two connection pools (two app instances) racing for one key: exactly one wins', async () => {
      const url = (handle.db as unknown as { $client: { options: { connectionString: string } } }).$client.options.connectionString
      const other = await openDb({ databaseUrl: url })
      try {
        const results = await Promise.all(
          Array.from({ length: 40 }, (_, i) => Settlements.claim((i % 2 ? other : handle).db, { replayKey: 'two-pools', rail: 'evm' })),
        )
        assert.equal(results.filter((r) => r.claimed).length, 1)
      } finally {
        await other.close()
      }
    })
  }
})

test('migrations are idempotent: reopening an existing embedded database keeps its rows', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs')
  const os = await import('node:os')
  const path = await import('node:path')
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-store-'))
  try {
    const a = await openDb({ dataDir: dir })
    await Settlements.claim(a.db, { replayKey: 'persisted', rail: 'evm' })
    await a.close()
    const b = await openDb({ dataDir: dir })
    assert.equal((await Settlements.get(b.db, 'persisted'))?.status, 'claimed')
    await b.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
