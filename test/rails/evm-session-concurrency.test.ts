// Concurrent requests on one channel are serialized by the database: twenty simultaneous accepts of the
// voucher that covers one unit serve exactly one, whether they share the embedded database or race
// through two PostgreSQL pools (two instances). Session transactions and charge settlements signed with
// the same key take turns for its nonces, in one process and across instances.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import type { LocalAccount } from 'viem/accounts'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Evm from '@/lib/protocol/methods/evm'
import * as Problem from '@/lib/protocol/Problem'
import * as EvmRail from '@/lib/rails/evm'
import * as SessionRail from '@/lib/rails/evm/session'
import { type DbHandle, openDb } from '@/lib/store/db'
import * as SessionChannels from '@/lib/store/session-channels'
import { anvilAccount } from '@/scripts/chain/deploy'
import { isBroadcast, startRpcProxy } from '@/test/scale/internal/rpc-proxy'
import { createDatabase, type PostgresServer, startPostgres } from '@/test/support/postgres'
import {
  type OpenedChannel,
  type SessionFixture,
  openAuthorizationPayload,
  openHashPayload,
  openOnChain,
  owner,
  sessionChallenge,
  setupSession,
  unitPrice,
  voucherPayload,
} from './session-fixtures'

let fx: SessionFixture
let postgres: PostgresServer | null = null
const handles: DbHandle[] = []

before(async () => {
  fx = await setupSession()
  postgres = await startPostgres()
})
after(async () => {
  for (const handle of handles) await handle.close()
  await fx?.close()
  await postgres?.stop()
})

/** Opens a channel through `rail` (initial voucher: one unit, paying one request), then races twenty accepts of the 2-unit voucher. */
async function raceOneVoucher(rails: readonly SessionRail.SessionRail[], db: DbHandle['db'], payer: LocalAccount) {
  const channel: OpenedChannel = await openOnChain(fx, { payer, deposit: 10n * unitPrice })
  const challenge = sessionChallenge(rails[0]!)
  const open = await openHashPayload(fx, channel, { cumulativeAmount: unitPrice })
  await rails[0]!.accept({ challenge, payload: open.payload, source: open.source, units: 1, owner })
  const voucher = await voucherPayload(fx, channel, 2n * unitPrice)
  const results = await Promise.allSettled(
    Array.from({ length: 20 }, (_, i) => rails[i % rails.length]!.accept({ challenge, payload: voucher, units: 1, owner })),
  )
  const served = results.filter((r) => r.status === 'fulfilled')
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
  assert.equal(served.length, 1, `exactly one served: ${refused.map((r) => String(r.reason)).join('; ')}`)
  for (const refusal of refused)
    assert.ok(
      Problem.is(refusal.reason) && refusal.reason.code === 'session/insufficient-balance',
      `the others are insufficient-balance, got ${refusal.reason}`,
    )
  const row = await SessionChannels.getChannel(db, channel.channelId)
  assert.deepEqual([row?.accepted, row?.spent], [String(2n * unitPrice), String(2n * unitPrice)])
}

describe('one voucher, twenty concurrent requests', () => {
  test('embedded database: exactly one is served', async () => {
    await raceOneVoucher([fx.rail], fx.handle.db, anvilAccount(1))
  })

  test('two instances on one PostgreSQL (two pools): exactly one is served', async (t) => {
    if (!postgres) {
      console.warn('\n!!! evm-session-concurrency: PostgreSQL is not installed; the PostgreSQL case is SKIPPED !!!\n')
      return t.skip('PostgreSQL is not installed')
    }
    const url = await createDatabase(postgres, `session_${randomBytes(4).toString('hex')}`)
    const a = await openDb({ databaseUrl: url, maxConnections: 10 })
    const b = await openDb({ databaseUrl: url, maxConnections: 10 })
    handles.push(a, b)
    await raceOneVoucher([fx.instanceOn(a.db).rail, fx.instanceOn(b.db).rail], a.db, anvilAccount(2))
  })
})

describe('one settler key for charges and sessions', () => {
  /** A charge payment (MPP evm/charge `authorization`) for the charge rail, from `payer` to a fresh address. */
  async function chargePayment(rail: EvmRail.EvmRail, payer: LocalAccount) {
    const recipient = `0x${randomBytes(20).toString('hex')}` as const
    const request = rail.chargeRequest({ amount: 10_000n, recipient })
    const expires = new Date(Date.now() + 300_000)
    const challenge = Challenge.create({ secret: 'charge', realm: 'tollgate.test', method: 'evm', intent: 'charge', request, expires })
    const authorization: Evm.Authorization = {
      from: payer.address,
      to: recipient,
      value: '10000',
      validAfter: '0',
      validBefore: String(Math.floor(expires.getTime() / 1000)),
      nonce: Evm.authorizationNonce(challenge.id, challenge.realm),
    }
    const signature = await payer.signTypedData(Evm.transferWithAuthorizationTypedData(fx.f.tokenDomain, authorization))
    return rail.settleMppCredential({
      challenge: { id: challenge.id, realm: challenge.realm, request, expires: challenge.expires },
      payload: { type: 'authorization', ...authorization, signature },
    })
  }

  async function mixed(rails: Array<{ evm: EvmRail.EvmRail; session: SessionRail.SessionRail }>, payers: LocalAccount[]) {
    const challenge = sessionChallenge(rails[0]!.session)
    const work: Array<Promise<unknown>> = []
    payers.forEach((payer, i) => {
      const rail = rails[i % rails.length]!
      work.push(chargePayment(rail.evm, payer))
      work.push(
        openAuthorizationPayload(fx, payer, { deposit: 20n * unitPrice }).then(({ payload }) =>
          rail.session.accept({ challenge, payload, units: 1, owner }),
        ),
      )
    })
    const results = await Promise.allSettled(work)
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason))
    assert.deepEqual(failures, [], 'every charge settlement and every relayed open went through')
  }

  test('in one process: charge settlements and relayed opens take turns with one nonce sequence, each signed once', async () => {
    // Through a proxy that counts broadcasts. A second settler for the same key would keep its own nonce:
    // after a session transaction, the charge settler's next nonce is taken, and it is heard again after the clash.
    const rpc = await startRpcProxy()
    try {
      rpc.setUpstream(fx.f.chain.rpcUrl)
      const config = EvmRail.createEvmConfig({ ...fx.config, settlerPrivateKey: fx.config.settlerPrivateKey, rpcUrl: rpc.url })
      const evmRail = EvmRail.createEvmRail(config, fx.handle.db)
      const session = SessionRail.createSessionRail({ evmRail, db: fx.handle.db, settings: fx.settings })
      const challenge = sessionChallenge(session)
      const nonce = await fx.f.publicClient.getTransactionCount({ address: fx.rail.payee })
      for (const payer of [anvilAccount(3), anvilAccount(4)]) {
        await chargePayment(evmRail, payer)
        const { payload } = await openAuthorizationPayload(fx, payer, { deposit: 20n * unitPrice })
        await session.accept({ challenge, payload, units: 1, owner })
      }
      await chargePayment(evmRail, anvilAccount(5))
      assert.equal(await fx.f.publicClient.getTransactionCount({ address: fx.rail.payee }), nonce + 5)
      assert.equal(rpc.calls().filter(isBroadcast).length, 5, `each broadcast once: ${rpc.calls().filter(isBroadcast).join(' ')}`)
      // And all at once: nothing lost, nothing refused.
      await mixed([{ evm: evmRail, session }], [anvilAccount(6), anvilAccount(7), anvilAccount(8)])
      assert.equal(await fx.f.publicClient.getTransactionCount({ address: fx.rail.payee }), nonce + 11)
    } finally {
      await rpc.stop()
    }
  })

  test('two instances on one PostgreSQL: the same, through the database lock', async (t) => {
    if (!postgres) return t.skip('PostgreSQL is not installed')
    const url = await createDatabase(postgres, `session_${randomBytes(4).toString('hex')}`)
    const instances = await Promise.all([openDb({ databaseUrl: url }), openDb({ databaseUrl: url })])
    handles.push(...instances)
    const rails = instances.map((handle) => {
      const instance = fx.instanceOn(handle.db)
      return { session: instance.rail, evm: instance.evmRail }
    })
    await mixed(rails, [anvilAccount(9), anvilAccount(1), anvilAccount(2), anvilAccount(3)])
  })
})
