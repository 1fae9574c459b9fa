import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import fc from 'fast-check'
import { describeEachDatabase } from '@/test/support/databases'
import { ensureMerchant } from '@/lib/merchants/ensure-merchant'
import type { DbHandle } from '@/lib/store/db'
import { createLink } from './create-link'
import { AppError } from '@/lib/errors/app-error'
import { getLinkBySlug } from './get-link-by-slug'
import { linkInput } from './internal/link-input-arbitrary'
import { updateLink } from './update-link'

// Whatever a client sends, the database must never be the one to refuse it (that would be a 500).
describeEachDatabase('createLink / updateLink fuzz', (factory) => {
  let handle: DbHandle
  let merchantId: string
  before(async () => {
    handle = await factory.open()
    merchantId = (await ensureMerchant(handle.db, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8')).id
  })
  after(async () => {
    await handle?.close()
  })

  test('random input either creates a readable link or throws a AppError', async () => {
    let created = 0
    await fc.assert(
      fc.asyncProperty(fc.oneof({ arbitrary: linkInput, weight: 6 }, { arbitrary: fc.anything(), weight: 1 }), async (input) => {
        try {
          const link = await createLink(handle.db, merchantId, input)
          created++
          assert.deepEqual(await getLinkBySlug(handle.db, link.slug), link)
        } catch (error) {
          assert.ok(error instanceof AppError, String(error))
          assert.ok(error.status >= 400 && error.status < 500)
        }
      }),
      { numRuns: 150 },
    )
    assert.ok(created > 5, `only ${created} links were created`)
  })

  test('random patches either update the link or throw a AppError', async () => {
    const link = await createLink(handle.db, merchantId, {
      title: 'Fuzzed',
      price: '1',
      rails: ['evm'],
      resource: { kind: 'inline', contentType: 'text/plain', body: 'x' },
    })
    await fc.assert(
      fc.asyncProperty(fc.oneof(linkInput, fc.anything()), async (patch) => {
        try {
          await updateLink(handle.db, merchantId, link.id, patch)
        } catch (error) {
          assert.ok(error instanceof AppError, String(error))
        }
      }),
      { numRuns: 150 },
    )
  })
})
