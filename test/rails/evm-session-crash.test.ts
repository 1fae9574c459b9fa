// Crash safety of session settlements: a settle killed (SIGKILL) between its broadcast and the record of
// its outcome is found mined by reconcile() after the restart and recorded once; nothing is sent again,
// so the payee is paid exactly once. A record interrupted before it was signed is failed and retried.
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { openDb } from '@/lib/store/db'
import * as SessionChannels from '@/lib/store/session-channels'
import * as SessionTransactions from '@/lib/store/session-transactions'
import { anvilAccount, anvilPrivateKey } from '@/scripts/chain/deploy'
import { waitFor } from '@/test/support/ports'
import { createDatabase, type PostgresServer, startPostgres } from '@/test/support/postgres'
import {
  type SessionFixture,
  openHashPayload,
  openOnChain,
  owner,
  sessionChallenge,
  setupSession,
  unitPrice,
  voucherPayload,
} from './session-fixtures'

const root = path.resolve(import.meta.dirname, '..', '..')
const childScript = path.join(import.meta.dirname, 'evm-session-crash-child.ts')

describe('session settlements: crash after broadcast, and reconcile()', () => {
  let fx: SessionFixture
  let postgres: PostgresServer | null = null
  const temporaryDirs: string[] = []

  before(async () => {
    fx = await setupSession()
    postgres = await startPostgres()
  })
  after(async () => {
    await fx?.close()
    await postgres?.stop()
    for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true })
  })

  /** A channel on `database` whose best voucher (40 units) is accepted and not settled. */
  async function acceptedChannel(database: { dataDir?: string; databaseUrl?: string }, payerIndex: number) {
    const handle = await openDb(database)
    try {
      const { rail } = fx.instanceOn(handle.db)
      const channel = await openOnChain(fx, { payer: anvilAccount(payerIndex), deposit: 100n * unitPrice })
      const challenge = sessionChallenge(rail)
      const open = await openHashPayload(fx, channel, { cumulativeAmount: unitPrice })
      await rail.accept({ challenge, payload: open.payload, source: open.source, units: 1, owner })
      await rail.accept({ challenge, payload: await voucherPayload(fx, channel, 40n * unitPrice), units: 39, owner })
      return channel
    } finally {
      await handle.close()
    }
  }

  async function killedAfterBroadcast(database: { dataDir?: string; databaseUrl?: string }, channelId: string) {
    const settler = fx.rail.payee
    const nonceBefore = await fx.f.publicClient.getTransactionCount({ address: settler, blockTag: 'pending' })
    // Hold transactions in the mempool so the child is provably between broadcast and receipt.
    await fx.f.testClient.setAutomine(false)
    let child: ChildProcess | undefined
    try {
      child = spawn(process.execPath, ['--import', 'tsx', childScript], {
        cwd: root,
        env: {
          ...process.env,
          CRASH_INPUT: JSON.stringify({
            rpcUrl: fx.f.chain.rpcUrl,
            chainId: fx.f.chain.chainId,
            token: fx.f.token,
            escrow: fx.f.escrow,
            settlerPrivateKey: anvilPrivateKey(0),
            ...database,
            channelId,
          }),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let output = ''
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
      const running = child
      await waitFor(
        async () => {
          if (running.exitCode !== null) throw new Error(`child exited early: ${output}`)
          const pending = await fx.f.publicClient.getTransactionCount({ address: settler, blockTag: 'pending' })
          return pending > nonceBefore ? true : undefined
        },
        { timeoutMs: 90_000, intervalMs: 20, what: 'the child to broadcast the settle' },
      )
      running.kill('SIGKILL')
      await new Promise((resolve) =>
        running.exitCode !== null || running.signalCode !== null ? resolve(null) : running.once('exit', resolve),
      )
      assert.doesNotMatch(output, /settled/, 'the child died before it could record the outcome')
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await fx.f.testClient.setAutomine(true)
    }
    await fx.f.testClient.mine({ blocks: 1 })
    return { settler, nonceBefore }
  }

  async function crashAndReconcile(database: { dataDir?: string; databaseUrl?: string }, payerIndex: number) {
    const channel = await acceptedChannel(database, payerIndex)
    const payeeBefore = await fx.f.balanceOf(fx.rail.payee)
    const crash = await killedAfterBroadcast(database, channel.channelId)
    const handle = await openDb(database)
    try {
      const { rail } = fx.instanceOn(handle.db)
      const [left] = await SessionTransactions.listForChannel(handle.db, channel.channelId)
      assert.equal(left?.status, 'submitted', 'the crash left the settle submitted, with its hash')
      assert.ok(left?.txHash)
      assert.equal((await SessionChannels.getChannel(handle.db, channel.channelId))?.settledOnChain, '0', 'its outcome was never recorded')
      assert.equal(await fx.f.balanceOf(fx.rail.payee), payeeBefore + 40n * unitPrice, 'the broadcast settle was mined after the crash')

      assert.deepEqual(await rail.reconcile({ olderThanMs: 0 }), { settled: [left.id], failed: [], pending: [] })
      assert.equal((await SessionTransactions.get(handle.db, left.id))?.status, 'settled')
      assert.equal((await SessionChannels.getChannel(handle.db, channel.channelId))?.settledOnChain, String(40n * unitPrice))

      // The jobs and the dashboard find nothing left to settle: nothing is sent again.
      const report = await rail.runJobsOnce()
      assert.ok(!report.settled.some((s) => s.channelId === channel.channelId))
      assert.deepEqual(await rail.settleNow(channel.channelId), { status: 'nothing-to-settle' })
      assert.equal(await fx.f.balanceOf(fx.rail.payee), payeeBefore + 40n * unitPrice, 'exactly one transfer to the payee')
      assert.equal(
        await fx.f.publicClient.getTransactionCount({ address: crash.settler, blockTag: 'pending' }),
        crash.nonceBefore + 1,
        'the settler sent exactly one transaction',
      )
    } finally {
      await handle.close()
    }
  }

  test('embedded database (PGlite on disk): killed after broadcast, found settled after restart', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-session-crash-'))
    temporaryDirs.push(dir)
    await crashAndReconcile({ dataDir: path.join(dir, 'db') }, 1)
  })

  test('PostgreSQL: killed after broadcast, found settled after restart', async (t) => {
    if (!postgres) {
      console.warn('\n!!! evm-session-crash: PostgreSQL is not installed; the PostgreSQL crash case is SKIPPED !!!\n')
      return t.skip('PostgreSQL is not installed')
    }
    const databaseUrl = await createDatabase(postgres, `session_crash_${randomBytes(4).toString('hex')}`)
    await crashAndReconcile({ databaseUrl }, 2)
  })

  test('a settle interrupted before it was signed is failed by reconcile, then settled once', async () => {
    const channel = await openOnChain(fx, { payer: anvilAccount(3), deposit: 20n * unitPrice })
    const challenge = sessionChallenge(fx.rail)
    const open = await openHashPayload(fx, channel, { cumulativeAmount: 5n * unitPrice })
    await fx.rail.accept({ challenge, payload: open.payload, source: open.source, units: 5, owner })
    // What a crash between claim and sign leaves behind.
    await SessionTransactions.claim(fx.handle.db, {
      channelId: channel.channelId,
      kind: 'settle',
      amount: 5n * unitPrice,
      reason: 'threshold',
    })
    assert.deepEqual(await fx.rail.settleNow(channel.channelId), { status: 'in-flight' })
    assert.deepEqual(
      await fx.rail.reconcile({ olderThanMs: 60_000 }),
      { settled: [], failed: [], pending: [] },
      'recent records are left to their owner',
    )
    assert.equal((await fx.rail.reconcile({ olderThanMs: 0 })).failed.length, 1)
    const payeeBefore = await fx.f.balanceOf(fx.rail.payee)
    assert.equal((await fx.rail.settleNow(channel.channelId)).status, 'settled')
    assert.equal(await fx.f.balanceOf(fx.rail.payee), payeeBefore + 5n * unitPrice)
  })

  test('while a close waits to be mined the channel is closing and takes no charge; once mined it is closed', async () => {
    const payer = anvilAccount(4)
    const channel = await openOnChain(fx, { payer, deposit: 20n * unitPrice })
    const challenge = sessionChallenge(fx.rail)
    const open = await openHashPayload(fx, channel, { cumulativeAmount: 5n * unitPrice })
    await fx.rail.accept({ challenge, payload: open.payload, source: open.source, units: 5, owner })
    await fx.f.testClient.setAutomine(false)
    let closing: Promise<unknown>
    try {
      closing = fx.rail.closeChannel(channel.channelId).catch((error: unknown) => error)
      await waitFor(async () => ((await fx.rail.getChannel(channel.channelId))?.status === 'closing' ? true : undefined), {
        timeoutMs: 30_000,
        intervalMs: 20,
        what: 'the close to start',
      })
      // No charge is accepted while the close is under way: everything spent is covered by it.
      await assert.rejects(
        fx.rail.accept({ challenge, payload: await voucherPayload(fx, channel, 5n * unitPrice), units: 0, owner }),
        /being closed/,
      )
    } finally {
      await fx.f.testClient.setAutomine(true)
    }
    await fx.f.testClient.mine({ blocks: 1 })
    const closed = await closing
    assert.ok(!(closed instanceof Error), String(closed))
    const view = await fx.rail.getChannel(channel.channelId)
    assert.equal(view?.status, 'closed')
    assert.equal((await fx.f.getChannel(channel.channelId)).finalized, true)
  })
})
