// Issue 4 acceptance: the replay and concurrency guarantees hold with two app instances sharing one
// PostgreSQL, requests spread across both (the claim is a database constraint, not process memory).
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import * as Receipt from '@/lib/protocol/Receipt'
import { anvilAccount } from '@/scripts/chain/deploy'
import { createDatabase, postgresInstalled, startPostgres, type PostgresServer } from '@/test/support/postgres'
import { type Stack, startStack } from '@/test/support/stack'
import { mppCredentialFor } from './internal/payers'
import { replayTests } from './internal/replay-suite'

const skip = postgresInstalled() ? false : 'PostgreSQL is not installed (apt-get install postgresql)'
if (skip) console.warn(`\n!!! gate scale-out suite SKIPPED — ${skip} !!!\n`)

describe('replay and concurrency: two instances on one PostgreSQL', { skip }, () => {
  let server: PostgresServer | null = null
  let stack: Stack
  let instances: string[] = []

  before(async () => {
    server = await startPostgres()
    if (!server) throw new Error('PostgreSQL is installed but did not start')
    stack = await startStack({ databaseUrl: await createDatabase(server, `gate_${randomBytes(6).toString('hex')}`) })
    const second = await stack.addInstance()
    instances = [stack.url, second.url]
  })
  after(async () => {
    await stack?.stop()
    await server?.stop()
  })

  test('a challenge issued by one instance is paid at the other (one realm, one secret, one database)', async () => {
    assert.equal(instances.length, 2)
    assert.notEqual(instances[0], instances[1])
    const challenge = await fetch(`${instances[0]}/l/demo`)
    assert.equal(challenge.status, 402)
    const credential = await mppCredentialFor(anvilAccount(5), challenge)
    const paid = await fetch(`${instances[1]}/l/demo`, { headers: { authorization: credential } })
    assert.equal(paid.status, 200, await paid.clone().text())
    assert.equal(Receipt.deserialize(paid.headers.get('payment-receipt')!).status, 'success')
  })

  replayTests(() => ({ stack, instances }), { mpp: [1, 2], x402: [3, 4] })
})
