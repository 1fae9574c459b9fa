import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { describeEachDatabase } from '@/test/support/databases'
import { InvalidInputError } from '@/lib/errors/app-error'
import type { DbHandle } from '@/lib/store/db'
import { ensureMerchant } from './ensure-merchant'
import { getMerchant } from './get-merchant'

const checksummed = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

describeEachDatabase('merchants', (factory) => {
  let handle: DbHandle
  before(async () => {
    handle = await factory.open()
  })
  after(async () => {
    await handle?.close()
  })

  test('ensureMerchant creates a merchant once per address, whatever its letter case', async () => {
    const first = await ensureMerchant(handle.db, checksummed.toLowerCase())
    assert.match(first.id, /^mer_[A-Za-z0-9_-]{22}$/)
    assert.equal(first.address, checksummed)
    assert.deepEqual(await ensureMerchant(handle.db, checksummed), first)
    assert.deepEqual(await ensureMerchant(handle.db, `0x${checksummed.slice(2).toUpperCase()}`), first)
    assert.deepEqual(await getMerchant(handle.db, first.id), first)
  })

  test('concurrent sign-ins of a new address yield one merchant', async () => {
    const address = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
    const merchants = await Promise.all(Array.from({ length: 12 }, () => ensureMerchant(handle.db, address)))
    assert.equal(new Set(merchants.map((m) => m.id)).size, 1)
  })

  test('ensureMerchant refuses anything but an EVM address; getMerchant answers null for unknown ids', async () => {
    for (const bad of ['', '0x1234', 'not an address', `${checksummed}00`, null])
      await assert.rejects(ensureMerchant(handle.db, bad as string), (e) => e instanceof InvalidInputError && e.status === 400, String(bad))
    assert.equal(await getMerchant(handle.db, 'mer_nobody'), null)
    assert.equal(await getMerchant(handle.db, ''), null)
  })
})
