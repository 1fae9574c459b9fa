// A payer's forced close (draft-evm-session-00, Forced Close): requestClose on chain, and the session
// rail's background jobs see it and redeem the best voucher well before the grace period ends, so the
// payer's withdraw returns only what was never spent. Its own chain: the test travels in time.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createSessionClient } from '@/lib/client/session'
import * as Problem from '@/lib/protocol/Problem'
import * as SessionChannels from '@/lib/store/session-channels'
import { anvilAccount } from '@/scripts/chain/deploy'
import { waitFor } from '@/test/support/ports'
import { type SessionPayee, startSessionPayee } from './internal/session-payee'
import { type SessionFixture, owner, setupSession, unitPrice, voucherPayload } from './session-fixtures'

let fx: SessionFixture
let server: SessionPayee
const jobs = new AbortController()
const errors: unknown[] = []

before(async () => {
  // The threshold and age never trigger here: only the forced close makes the jobs settle.
  fx = await setupSession({ settings: { settleThresholdUsd: '1000', settleMaxAgeSeconds: 365 * 24 * 3600 } })
  server = await startSessionPayee(fx.rail, { amountPerUnit: unitPrice })
  fx.rail.startJobs({ signal: jobs.signal, intervalMs: 100, onError: (error) => errors.push(error) })
})
after(async () => {
  jobs.abort()
  await server?.stop()
  await fx?.close()
})

test('requestClose: the jobs settle the best voucher before the grace period ends; withdraw returns only the unspent part', async () => {
  const payer = anvilAccount(1)
  const session = createSessionClient({ account: payer, rpcUrl: fx.f.chain.rpcUrl, deposit: 50n * unitPrice, mode: 'hash' })
  for (let i = 0; i < 10; i++) assert.equal((await session.fetch(`${server.url}/paid`)).status, 200)
  const channel = session.channels()[0]!
  const payerBefore = await fx.f.balanceOf(payer.address)
  const payeeBefore = await fx.f.balanceOf(fx.rail.payee)

  const requested = await fx.f.publicClient.getTransactionReceipt({ hash: await session.requestClose(channel) })
  const graceEnd = fx.f.events(requested, 'CloseRequested')[0]?.args.closeGraceEnd as bigint
  await waitFor(async () => ((await fx.f.getChannel(channel.channelId)).settled === 10n * unitPrice ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 50,
    what: 'the jobs to settle the best voucher',
  })
  assert.ok((await fx.f.now()) < graceEnd, 'settled within the grace period')
  assert.equal(await fx.f.balanceOf(fx.rail.payee), payeeBefore + 10n * unitPrice)
  const view = await fx.rail.getChannel(channel.channelId)
  assert.equal(view?.status, 'close-requested')
  assert.equal(view?.closeGraceEndsAt?.getTime(), Number(graceEnd) * 1000)

  // Vouchers are refused from now on; the payer cannot spend more in the grace period.
  const challenge = server.challenge()
  await assert.rejects(
    fx.rail.accept({
      challenge,
      payload: await voucherPayload(fx, { channelId: channel.channelId, payer }, 11n * unitPrice),
      units: 1,
      owner,
    }),
    (error: unknown) => Problem.is(error) && error.code === 'session/channel-finalized' && error.status === 410,
  )

  await fx.f.testClient.increaseTime({ seconds: 15 * 60 + 1 })
  await fx.f.testClient.mine({ blocks: 1 })
  await session.withdraw(channel)
  assert.equal(await fx.f.balanceOf(payer.address), payerBefore + 40n * unitPrice, 'the withdraw returned deposit - spent')
  await waitFor(async () => ((await fx.rail.getChannel(channel.channelId))?.status === 'closed' ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 50,
    what: 'the jobs to see the withdraw',
  })
  assert.deepEqual(errors, [])
})

test('a top-up by the payer cancels the forced close: the channel takes vouchers again', async () => {
  const payer = anvilAccount(2)
  const session = createSessionClient({ account: payer, rpcUrl: fx.f.chain.rpcUrl, deposit: 20n * unitPrice, mode: 'hash' })
  assert.equal((await session.fetch(`${server.url}/paid`)).status, 200)
  const channel = session.channels()[0]!
  await session.requestClose(channel)
  await waitFor(
    async () => ((await SessionChannels.getChannel(fx.handle.db, channel.channelId))?.closeRequestedAt !== 0n ? true : undefined),
    {
      timeoutMs: 30_000,
      intervalMs: 50,
      what: 'the watcher to see the requestClose',
    },
  )
  await fx.f.approve(payer, 5n * unitPrice)
  await fx.f.send(payer, { functionName: 'topUp', args: [channel.channelId, 5n * unitPrice] })
  await waitFor(async () => ((await fx.rail.getChannel(channel.channelId))?.status === 'open' ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 50,
    what: 'the watcher to see the cancellation',
  })
  assert.equal(
    (await fx.rail.getChannel(channel.channelId))?.deposit,
    25n * unitPrice,
    'the top-up nobody reported is counted from the escrow',
  )
  assert.equal((await session.fetch(`${server.url}/paid`)).status, 200)
})
