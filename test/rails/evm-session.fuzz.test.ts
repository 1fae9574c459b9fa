// Property: whatever a client sends, rail.accept answers with a payment problem of the session spec's
// statuses (400, 402, 409, 410) or a 503 when the chain is unreachable — never another error, never a
// 500 — and nothing it refused changes a channel's accounting. Valid credentials (real signatures on a real
// channel) with one part replaced by junk, and arbitrary values, against anvil and the embedded database.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import fc from 'fast-check'
import * as Problem from '@/lib/protocol/Problem'
import { anything, junk, mutationsOf } from '@/lib/protocol/methods/evmSession/internal/fuzzing'
import { RailUnavailableError } from '@/lib/rails/evm'
import * as SessionChannels from '@/lib/store/session-channels'
import { anvilAccount } from '@/scripts/chain/deploy'
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
let channel: OpenedChannel
let challenge: ReturnType<typeof sessionChallenge>
const valid: Array<{ payload: unknown; source?: string }> = []

before(async () => {
  fx = await setupSession()
  challenge = sessionChallenge(fx.rail)
  channel = await openOnChain(fx, { payer: anvilAccount(1), deposit: 1_000n * unitPrice })
  const open = await openHashPayload(fx, channel, { cumulativeAmount: 500n * unitPrice })
  await fx.rail.accept({ challenge, payload: open.payload, source: open.source, units: 0, owner })
  const other = await openOnChain(fx, { payer: anvilAccount(2), deposit: 10n * unitPrice })
  valid.push(
    await openHashPayload(fx, other),
    { payload: (await openAuthorizationPayload(fx, anvilAccount(3))).payload },
    { payload: await voucherPayload(fx, channel, 600n * unitPrice) },
    { payload: await voucherPayload(fx, channel, 400n * unitPrice) },
    { payload: await voucherPayload(fx, channel, 700n * unitPrice, { action: 'close' }) },
    {
      payload: { action: 'topUp', type: 'hash', channelId: channel.channelId, hash: channel.openHash, additionalDeposit: '5' },
      source: open.source,
    },
  )
})
after(async () => {
  await fx?.close()
})

/** True when `error` is what a client may be answered with. */
function allowed(error: unknown): boolean {
  if (error instanceof RailUnavailableError) return error.status === 503
  return Problem.is(error) && [400, 402, 409, 410].includes(error.status)
}

test('mutated credentials and arbitrary values: only session problems (400/402/409/410) or 503', { timeout: 600_000 }, async () => {
  const before = await SessionChannels.getChannel(fx.handle.db, channel.channelId)
  const credential = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .constantFrom(...valid)
        .chain(({ payload, source }) => mutationsOf(payload).map((mutated) => ({ payload: mutated, source }))),
    },
    { weight: 1, arbitrary: fc.record({ payload: anything, source: fc.option(fc.string(), { nil: undefined }) }) },
    { weight: 1, arbitrary: fc.constantFrom(...valid).map(({ payload }) => ({ payload, source: undefined as string | undefined })) },
  )
  const request = fc.oneof(
    { weight: 5, arbitrary: fc.constant(challenge.request as unknown) },
    { weight: 1, arbitrary: mutationsOf(challenge.request) },
  )
  const key = fc.option(fc.oneof(fc.string(), junk.map(String)), { nil: undefined })
  let accepted = 0
  await fc.assert(
    fc.asyncProperty(
      credential,
      request,
      fc.integer({ min: 0, max: 3 }),
      key,
      async ({ payload, source }, echoedRequest, units, idempotencyKey) => {
        try {
          await fx.rail.accept({ challenge: { ...challenge, request: echoedRequest }, payload, source, units, idempotencyKey, owner })
          accepted++
        } catch (error) {
          if (!allowed(error)) throw error
        }
      },
    ),
    { numRuns: 300 },
  )
  const after = await SessionChannels.getChannel(fx.handle.db, channel.channelId)
  assert.ok(BigInt(after!.spent) <= BigInt(after!.accepted) && BigInt(after!.accepted) <= BigInt(after!.deposit))
  assert.ok(BigInt(after!.accepted) >= BigInt(before!.accepted), 'accepted never goes down')
  assert.ok(accepted > 0, 'some of the unbroken credentials were accepted (the property saw both sides)')
})
