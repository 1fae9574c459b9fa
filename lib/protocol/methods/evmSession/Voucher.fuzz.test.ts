// Properties: Voucher.verify throws only payment problems for any signature bytes and amounts; a valid
// signature with any one byte changed is never accepted, not even as a replay; the outcome of an honest
// voucher follows the spec steps exactly.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { type Hex, bytesToHex, hexToBytes } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { PaymentProblem } from '@/lib/protocol/Problem'
import { onlyRejects } from './internal/fuzzing'
import * as Voucher from './Voucher'

// anvil's second default account: a well-known test key, never a real one.
const payer = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
const domain = { chainId: 31337, escrow: '0x1234567890AbcdEF1234567890aBcdef12345678' } as const
const channelId: Hex = `0x${'6d'.repeat(32)}`
const channel: Voucher.ChannelState = { channelId, payer: payer.address, deposit: 10_000n, closeRequestedAt: 0n, finalized: false }
// Signature recovery costs about a millisecond: fewer runs than the pure parsers.
const numRuns = 300

test('arbitrary signature bytes and amounts: only payment problems', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 200 }),
      fc.bigInt({ min: -1n, max: 2n ** 129n }),
      fc.boolean(),
      async (bytes, amount, contract) =>
        onlyRejects([PaymentProblem], () =>
          Voucher.verify({
            domain,
            channel: { ...channel, signerIsContract: contract },
            voucher: { channelId, cumulativeAmount: amount, signature: bytesToHex(bytes) },
            acceptedCumulative: 0n,
            isValidContractSignature: async () => false,
          }),
        ),
    ),
    { numRuns },
  )
})

test('a valid signature with one byte changed is never accepted', async () => {
  const amount = 500n
  const signature = await payer.signTypedData(Voucher.typedData(domain, { channelId, cumulativeAmount: amount }))
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 64 }),
      fc.integer({ min: 1, max: 255 }),
      fc.bigInt({ min: 0n, max: 1_000n }),
      async (index, xor, accepted) => {
        const bytes = hexToBytes(signature)
        bytes[index] = bytes[index]! ^ xor
        await assert.rejects(
          Voucher.verify({
            domain,
            channel,
            voucher: { channelId, cumulativeAmount: amount, signature: bytesToHex(bytes) },
            acceptedCumulative: accepted,
          }),
          PaymentProblem,
        )
      },
    ),
    { numRuns },
  )
})

test('an honest voucher: replay at or below accepted, else accepted within delta and deposit, else the matching problem', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.bigInt({ min: 0n, max: 20_000n }),
      fc.bigInt({ min: 0n, max: 20_000n }),
      fc.bigInt({ min: 0n, max: 5_000n }),
      async (amount, accepted, minVoucherDelta) => {
        const signature = await payer.signTypedData(Voucher.typedData(domain, { channelId, cumulativeAmount: amount }))
        const run = Voucher.verify({
          domain,
          channel,
          voucher: { channelId, cumulativeAmount: amount, signature },
          acceptedCumulative: accepted,
          minVoucherDelta,
        })
        if (amount <= accepted) assert.deepEqual(await run, { status: 'replay', acceptedCumulative: accepted })
        else if (amount - accepted < minVoucherDelta) await assert.rejects(run, { code: 'session/delta-too-small' })
        else if (amount > channel.deposit) await assert.rejects(run, { code: 'session/amount-exceeds-deposit' })
        else assert.deepEqual(await run, { status: 'accepted', cumulativeAmount: amount, delta: amount - accepted })
      },
    ),
    { numRuns },
  )
})
