// Crash safety: a settlement killed after broadcast is found settled by reconcile() after restart,
// with no second transfer; records interrupted before broadcast become retryable.
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { type Hex, createTestClient, http, toHex } from 'viem'
import { InvalidChallengeError } from '@/lib/protocol/Problem'
import * as EvmRail from '@/lib/rails/evm'
import { openDb } from '@/lib/store/db'
import * as Settlements from '@/lib/store/settlements'
import { anvilPrivateKey, localChain } from '@/scripts/chain/deploy'
import { createDatabase, startPostgres, type PostgresServer } from '@/test/support/postgres'
import { waitFor } from '@/test/support/ports'
import { type EvmFixture, authorizationPayload, freshRecipient, mppChallenge, price, setupEvm } from './evm-fixtures'

const root = path.resolve(import.meta.dirname, '..', '..')
const childScript = path.join(import.meta.dirname, 'evm-crash-child.ts')

describe('EVM rail: crash after broadcast, and reconcile()', () => {
  let fixture: EvmFixture
  let postgres: PostgresServer | null = null
  const temporaryDirs: string[] = []

  before(async () => {
    fixture = await setupEvm()
    postgres = await startPostgres()
  })
  after(async () => {
    await fixture?.close()
    await postgres?.stop()
    for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true })
  })

  const testClient = () =>
    createTestClient({
      mode: 'anvil',
      chain: localChain(fixture.chain.rpcUrl, fixture.chain.chainId),
      transport: http(fixture.chain.rpcUrl),
    })

  async function killedAfterBroadcast(database: { dataDir?: string; databaseUrl?: string }, payerIndex: number) {
    const payer = fixture.payers[payerIndex]!
    const recipient = freshRecipient()
    const challenge = mppChallenge(fixture.rail, { recipient })
    const payload = await authorizationPayload(fixture, payer, challenge)
    const settler = fixture.rail.settlerAddress
    const nonceBefore = await fixture.publicClient.getTransactionCount({ address: settler, blockTag: 'pending' })

    // Hold transactions in the mempool so the child is provably between broadcast and receipt.
    await testClient().setAutomine(false)
    let child: ChildProcess | undefined
    try {
      child = spawn(process.execPath, ['--import', 'tsx', childScript], {
        cwd: root,
        env: {
          ...process.env,
          CRASH_INPUT: JSON.stringify({
            rpcUrl: fixture.chain.rpcUrl,
            chainId: fixture.chain.chainId,
            token: fixture.chain.token,
            settlerPrivateKey: anvilPrivateKey(0),
            ...database,
            challenge,
            payload,
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
          const pending = await fixture.publicClient.getTransactionCount({ address: settler, blockTag: 'pending' })
          return pending > nonceBefore ? true : undefined
        },
        { timeoutMs: 90_000, intervalMs: 20, what: 'the child to broadcast the settlement' },
      )
      running.kill('SIGKILL')
      await new Promise((resolve) =>
        running.exitCode !== null || running.signalCode !== null ? resolve(null) : running.once('exit', resolve),
      )
      assert.doesNotMatch(output, /settled/, 'the child died before it could record the outcome')
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await testClient().setAutomine(true)
    }
    await testClient().mine({ blocks: 1 })
    return { payer, recipient, challenge, payload, settler, nonceBefore }
  }

  async function restartAndReconcile(database: { dataDir?: string; databaseUrl?: string }, payerIndex: number) {
    const crash = await killedAfterBroadcast(database, payerIndex)
    const handle = await openDb(database)
    try {
      const rail = EvmRail.createEvmRail(fixture.config, handle.db)
      const [left] = await Settlements.listByStatus(handle.db, 'submitted')
      assert.ok(left?.txHash, 'the crash left a submitted record with its transaction hash')
      assert.equal(await fixture.balanceOf(crash.recipient), price, 'the broadcast transaction was mined after the crash')

      const result = await rail.reconcile({ olderThanMs: 0 })
      assert.deepEqual(result, { settled: [left.replayKey], failed: [], pending: [] })
      const record = await Settlements.get(handle.db, left.replayKey)
      assert.equal(record?.status, 'settled')
      assert.equal(record?.txHash, left.txHash)

      // The client retries after the outage: refused, and nothing moves again.
      await assert.rejects(rail.settleMppCredential({ challenge: crash.challenge, payload: crash.payload }), InvalidChallengeError)
      assert.equal(await fixture.balanceOf(crash.recipient), price, 'exactly one transfer')
      assert.equal(
        await fixture.publicClient.getTransactionCount({ address: crash.settler, blockTag: 'pending' }),
        crash.nonceBefore + 1,
        'the settler sent exactly one transaction',
      )
    } finally {
      await handle.close()
    }
  }

  test('embedded database (PGlite on disk): killed after broadcast, found settled after restart', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-evm-crash-'))
    temporaryDirs.push(dir)
    await restartAndReconcile({ dataDir: path.join(dir, 'db') }, 0)
  })

  test('PostgreSQL: killed after broadcast, found settled after restart', async (t) => {
    if (!postgres) {
      console.warn('\n!!! evm-crash: PostgreSQL is not installed; the PostgreSQL crash case is SKIPPED !!!\n')
      t.skip('PostgreSQL is not installed')
      return
    }
    const databaseUrl = await createDatabase(postgres, `crash_${randomBytes(4).toString('hex')}`)
    await restartAndReconcile({ databaseUrl }, 1)
  })

  test('a record interrupted before broadcast is failed by reconcile and the credential can be retried', async () => {
    const payer = fixture.payers[2]!
    const recipient = freshRecipient()
    const challenge = mppChallenge(fixture.rail, { recipient })
    const payload = await authorizationPayload(fixture, payer, challenge)
    const replayKey = `${fixture.chain.chainId}:${fixture.chain.token.toLowerCase()}:${payer.address.toLowerCase()}:${payload.nonce}`
    // What a crash between claim and sign leaves behind (same details the rail writes).
    const details = {
      kind: 'authorization',
      token: fixture.chain.token,
      from: payer.address,
      to: recipient,
      value: price.toString(),
      nonce: payload.nonce,
      fromBlock: '0',
    }
    await Settlements.claim(fixture.handle.db, { replayKey, rail: 'evm', payer: payer.address, amount: price.toString(), details })
    await assert.rejects(fixture.rail.settleMppCredential({ challenge, payload }), /already being settled/)

    const result = await fixture.rail.reconcile({ olderThanMs: 0 })
    assert.deepEqual(result.failed, [replayKey])
    const settlement = await fixture.rail.settleMppCredential({ challenge, payload })
    assert.equal(settlement.replayKey, replayKey)
    assert.equal(await fixture.balanceOf(recipient), price)
    assert.equal((await Settlements.get(fixture.handle.db, replayKey))?.status, 'settled')
  })

  test('a submitted transaction that never reached the chain is failed, then retried once', async () => {
    const payer = fixture.payers[3]!
    const recipient = freshRecipient()
    const challenge = mppChallenge(fixture.rail, { recipient })
    const payload = await authorizationPayload(fixture, payer, challenge)
    const replayKey = `${fixture.chain.chainId}:${fixture.chain.token.toLowerCase()}:${payer.address.toLowerCase()}:${payload.nonce}`
    const details = {
      kind: 'authorization',
      token: fixture.chain.token,
      from: payer.address,
      to: recipient,
      value: price.toString(),
      nonce: payload.nonce,
      fromBlock: '0',
    }
    await Settlements.claim(fixture.handle.db, { replayKey, rail: 'evm', payer: payer.address, amount: price.toString(), details })
    const lostHash: Hex = toHex(randomBytes(32))
    await Settlements.markSubmitted(fixture.handle.db, replayKey, lostHash)

    assert.deepEqual(
      await fixture.rail.reconcile({ olderThanMs: 60_000 }),
      { settled: [], failed: [], pending: [] },
      'recent records are left to their owner',
    )
    assert.deepEqual((await fixture.rail.reconcile({ olderThanMs: 0 })).failed, [replayKey])
    await fixture.rail.settleMppCredential({ challenge, payload })
    assert.equal(await fixture.balanceOf(recipient), price)
  })

  test('an authorization someone else submitted while we were down is found through its AuthorizationUsed log', async () => {
    const payer = fixture.payers[4]!
    const recipient = freshRecipient()
    const challenge = mppChallenge(fixture.rail, { recipient })
    const payload = await authorizationPayload(fixture, payer, challenge)
    const replayKey = `${fixture.chain.chainId}:${fixture.chain.token.toLowerCase()}:${payer.address.toLowerCase()}:${payload.nonce}`
    const details = {
      kind: 'authorization',
      token: fixture.chain.token,
      from: payer.address,
      to: recipient,
      value: price.toString(),
      nonce: payload.nonce,
      fromBlock: '0',
    }
    await Settlements.claim(fixture.handle.db, { replayKey, rail: 'evm', payer: payer.address, amount: price.toString(), details })
    // A third party relays the same authorization (EIP-3009 lets anyone submit it).
    const relayer = fixture.payers[5]!
    const { createWalletClient, parseSignature, parseAbi } = await import('viem')
    const { r, s, v } = parseSignature(payload.signature)
    const relay = createWalletClient({
      account: relayer,
      chain: localChain(fixture.chain.rpcUrl, fixture.chain.chainId),
      transport: http(fixture.chain.rpcUrl),
    })
    const hash = await relay.writeContract({
      address: fixture.chain.token,
      abi: parseAbi(['function transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32)']),
      functionName: 'transferWithAuthorization',
      args: [payer.address, recipient, price, 0n, BigInt(payload.validBefore), payload.nonce, Number(v), r, s],
    })
    await fixture.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })

    const result = await fixture.rail.reconcile({ olderThanMs: 0 })
    assert.deepEqual(result.settled, [replayKey])
    assert.equal((await Settlements.get(fixture.handle.db, replayKey))?.txHash, hash)
    assert.equal(await fixture.balanceOf(recipient), price)
  })
})
