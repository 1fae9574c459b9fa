// Two concurrent settlements of one payment: exactly one transfer and one success, whether the
// requests share a connection (embedded PGlite) or race through two PostgreSQL connections.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { toHex } from 'viem'
import { InvalidChallengeError } from '@/lib/protocol/Problem'
import * as EvmRail from '@/lib/rails/evm'
import type { Db } from '@/lib/store/db'
import { openDb, type DbHandle } from '@/lib/store/db'
import * as Settlements from '@/lib/store/settlements'
import { createDatabase, startPostgres, type PostgresServer } from '@/test/support/postgres'
import {
  type EvmFixture,
  authorizationPayload,
  freshRecipient,
  mppChallenge,
  nowSeconds,
  price,
  setupEvm,
  signAuthorization,
  signedTransfer,
} from './evm-fixtures'

describe('EVM rail: concurrent settlement of one payment', () => {
  let fixture: EvmFixture
  let postgres: PostgresServer | null = null
  const handles: DbHandle[] = []

  before(async () => {
    fixture = await setupEvm()
    postgres = await startPostgres()
  })
  after(async () => {
    for (const handle of handles) await handle.close()
    await fixture?.close()
    await postgres?.stop()
  })

  /** Two rail instances (as two app workers would have), each with its own settler client and database handle. */
  function twoRails(dbA: Db, dbB: Db) {
    return [EvmRail.createEvmRail(fixture.config, dbA), EvmRail.createEvmRail(fixture.config, dbB)] as const
  }

  /** Exactly one attempt succeeded, the others were refused as replays, and the price moved once. */
  async function assertExactlyOnce(results: PromiseSettledResult<unknown>[], recipient: `0x${string}`) {
    const succeeded = results.filter((r) => r.status === 'fulfilled')
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    assert.equal(succeeded.length, 1, `one success, got ${succeeded.length}: ${refused.map((r) => String(r.reason)).join('; ')}`)
    for (const failure of refused)
      assert.ok(failure.reason instanceof InvalidChallengeError, `replay refused with invalid-challenge, got ${failure.reason}`)
    assert.equal(await fixture.balanceOf(recipient), price, 'exactly one transfer')
  }

  async function raceAuthorization(rails: readonly EvmRail.EvmRail[], payerIndex: number, db: Db) {
    const recipient = freshRecipient()
    const challenge = mppChallenge(fixture.rail, { recipient })
    const payload = await authorizationPayload(fixture, fixture.payers[payerIndex]!, challenge)
    const results = await Promise.allSettled(rails.map((rail) => rail.settleMppCredential({ challenge, payload })))
    await assertExactlyOnce(results, recipient)
    assert.equal((await Settlements.listByStatus(db, 'settled')).filter((s) => s.payer === fixture.payers[payerIndex]!.address).length, 1)
  }

  test('one database connection, two rails: an MPP authorization settles once', async () => {
    await raceAuthorization(twoRails(fixture.handle.db, fixture.handle.db), 0, fixture.handle.db)
  })

  test('one rail, five simultaneous retries of an x402 payment: one success', async () => {
    const recipient = freshRecipient()
    const requirements = fixture.rail.x402Requirements({ amount: price, recipient, maxTimeoutSeconds: 60 })
    const { authorization, signature } = await signAuthorization(fixture.payers[1]!, fixture.domain, {
      to: recipient,
      value: price,
      validBefore: BigInt(nowSeconds() + 60),
      nonce: toHex(randomBytes(32)),
    })
    const payload = { x402Version: 2 as const, accepted: requirements, payload: { signature, authorization } }
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => fixture.rail.settleX402({ requirements, payload })))
    await assertExactlyOnce(results, recipient)
  })

  test('the same signed transaction presented twice at once: one broadcast, one success', async () => {
    const recipient = freshRecipient()
    const signature = await signedTransfer(fixture, fixture.payers[2]!, { to: recipient, value: price })
    const challenge = mppChallenge(fixture.rail, { recipient })
    const [rail1, rail2] = twoRails(fixture.handle.db, fixture.handle.db)
    const results = await Promise.allSettled([
      rail1.settleMppCredential({ challenge, payload: { type: 'transaction', signature } }),
      rail2.settleMppCredential({ challenge, payload: { type: 'transaction', signature } }),
    ])
    await assertExactlyOnce(results, recipient)
  })

  test('PostgreSQL, two connection pools: an MPP authorization settles once', async (t) => {
    if (!postgres) {
      console.warn('\n!!! evm-concurrency: PostgreSQL is not installed; the two-connection case is SKIPPED !!!\n')
      t.skip('PostgreSQL is not installed')
      return
    }
    const url = await createDatabase(postgres, `race_${randomBytes(4).toString('hex')}`)
    const a = await openDb({ databaseUrl: url })
    handles.push(a)
    const b = await openDb({ databaseUrl: url })
    handles.push(b)
    await raceAuthorization(twoRails(a.db, b.db), 3, a.db)
  })
})
