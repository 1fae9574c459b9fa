import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as CoreReceipt from '@/lib/protocol/Receipt'
import * as Receipt from './Receipt'

const channelId = `0x${'6D'.repeat(32)}` as const
const txHash = `0x${'1a'.repeat(32)}` as const

test('the spec per-request example: reference = channelId, amounts as strings, through the header and back', () => {
  const receipt = Receipt.create({
    challengeId: 'kM9xPqWvT2nJrHsY4aDfEb',
    channelId,
    chainId: 196,
    acceptedCumulative: 250_000n,
    spent: 237_500n,
    units: 500,
    timestamp: '2026-04-01T12:08:30Z',
  })
  assert.deepEqual(receipt, {
    method: 'evm',
    intent: 'session',
    status: 'success',
    timestamp: '2026-04-01T12:08:30Z',
    challengeId: 'kM9xPqWvT2nJrHsY4aDfEb',
    reference: channelId.toLowerCase(),
    channelId: channelId.toLowerCase(),
    chainId: 196,
    acceptedCumulative: '250000',
    spent: '237500',
    units: 500,
  })
  assert.deepEqual(Receipt.parse(CoreReceipt.deserialize(CoreReceipt.serialize(receipt))), receipt)
})

test('the close example carries the txHash', () => {
  const receipt = Receipt.create({ challengeId: 'c', channelId, chainId: 196, acceptedCumulative: 250_000n, spent: 250_000n, txHash })
  assert.equal(receipt.txHash, txHash)
  assert.equal(Receipt.parse(receipt).txHash, txHash)
})

test('parse refuses receipts that are not session receipts', () => {
  const good = Receipt.create({ challengeId: 'c', channelId, chainId: 196, acceptedCumulative: 1n, spent: 1n })
  for (const [why, broken] of [
    ['a charge receipt', { ...good, intent: undefined }],
    ['reference is not the channelId', { ...good, reference: txHash }],
    ['spent as a number', { ...good, spent: 1 }],
    ['no challengeId', { ...good, challengeId: '' }],
    ['fractional units', { ...good, units: 1.5 }],
  ] as const)
    assert.throws(() => Receipt.parse(broken as CoreReceipt.Receipt), CoreReceipt.MalformedReceiptError, why)
})

test('create refuses impossible fields (a programming error)', () => {
  assert.throws(
    () => Receipt.create({ challengeId: 'c', channelId: '0x12', chainId: 196, acceptedCumulative: 1n, spent: 1n }),
    CoreReceipt.InvalidReceiptFieldsError,
  )
  assert.throws(
    () => Receipt.create({ challengeId: 'c', channelId, chainId: 196, acceptedCumulative: -1n, spent: 1n }),
    CoreReceipt.InvalidReceiptFieldsError,
  )
})
