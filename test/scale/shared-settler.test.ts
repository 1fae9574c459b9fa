// One SETTLER_PRIVATE_KEY shared by several instances: the EVM rails of two "instances" (two
// PostgreSQL pools on one database) settle many payments at once without a wasted broadcast, and a
// broadcast whose answer was lost is recognised as ours instead of being signed again.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import * as EvmRail from '@/lib/rails/evm'
import { type DbHandle, openDb } from '@/lib/store/db'
import * as Settlements from '@/lib/store/settlements'
import { anvilAccount } from '@/scripts/chain/deploy'
import { createDatabase, postgresInstalled, startPostgres, type PostgresServer } from '@/test/support/postgres'
import { type EvmFixture, authorizationPayload, freshRecipient, mppChallenge, price, setupEvm } from '@/test/rails/evm-fixtures'
import { type RpcProxy, broadcastMethods, isBroadcast, startRpcProxy } from './internal/rpc-proxy'

const skip = postgresInstalled() ? false : 'PostgreSQL is not installed (apt-get install postgresql)'
if (skip) console.warn(`\n!!! shared settler suite SKIPPED — ${skip} !!!\n`)

const settler = anvilAccount(0).address

describe('one settler key shared by two instances on one PostgreSQL', { skip }, () => {
  let fixture: EvmFixture
  let server: PostgresServer | null = null
  let rpc: RpcProxy
  const handles: DbHandle[] = []
  let rails: EvmRail.EvmRail[] = []

  before(async () => {
    fixture = await setupEvm()
    server = await startPostgres()
    if (!server) throw new Error('PostgreSQL is installed but did not start')
    const databaseUrl = await createDatabase(server, `settler_${randomBytes(6).toString('hex')}`)
    rpc = await startRpcProxy()
    rpc.setUpstream(fixture.chain.rpcUrl)
    const config = EvmRail.createEvmConfig({ ...fixture.config, settlerPrivateKey: fixture.config.settlerPrivateKey, rpcUrl: rpc.url })
    for (let i = 0; i < 2; i++) handles.push(await openDb({ databaseUrl }))
    rails = handles.map((handle) => EvmRail.createEvmRail(config, handle.db))
  })
  after(async () => {
    for (const handle of handles) await handle.close()
    await rpc?.stop()
    await fixture?.close()
    await server?.stop()
  })

  const broadcasts = () => rpc.calls().filter(isBroadcast).length

  test('40 distinct payments at once through both instances: all settle, one broadcast per transaction', async () => {
    const count = 40
    const recipient = freshRecipient()
    const work = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const challenge = mppChallenge(rails[0]!, { recipient })
        return { rail: rails[i % 2]!, challenge, payload: await authorizationPayload(fixture, fixture.payers[i % 9]!, challenge) }
      }),
    )
    const nonceBefore = await fixture.publicClient.getTransactionCount({ address: settler })
    const broadcastsBefore = broadcasts()

    const results = await Promise.allSettled(work.map(({ rail, challenge, payload }) => rail.settleMppCredential({ challenge, payload })))
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason))
    assert.deepEqual(failures, [], 'every payment settled')

    const transactions = (await fixture.publicClient.getTransactionCount({ address: settler })) - nonceBefore
    assert.equal(transactions, count, 'one transaction per payment')
    assert.equal(broadcasts() - broadcastsBefore, count, 'no broadcast lost a nonce race to the other instance')
    assert.equal(await fixture.balanceOf(recipient), price * BigInt(count))
  })

  test('the node took the broadcast but its answer was lost: the retry is recognised as ours, settled once', async () => {
    const recipient = freshRecipient()
    const challenge = mppChallenge(rails[0]!, { recipient })
    const payload = await authorizationPayload(fixture, fixture.payers[0]!, challenge)
    const nonceBefore = await fixture.publicClient.getTransactionCount({ address: settler })
    rpc.setMode({ kind: 'lose-answer', method: broadcastMethods, times: 1 })
    let settlement: EvmRail.MppSettlement
    try {
      settlement = await rails[1]!.settleMppCredential({ challenge, payload })
    } finally {
      rpc.setMode({ kind: 'pass' })
    }
    assert.equal(await fixture.balanceOf(recipient), price, 'exactly one transfer')
    assert.equal(
      (await fixture.publicClient.getTransactionCount({ address: settler })) - nonceBefore,
      1,
      'the settler signed no second transaction',
    )
    const record = await Settlements.get(handles[0]!.db, settlement.replayKey)
    assert.equal(record?.status, 'settled')
    assert.equal(record?.txHash, settlement.reference)
  })
})
