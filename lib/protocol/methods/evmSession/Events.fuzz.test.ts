// Properties: the SSE event parsers throw only MalformedSessionEventError on any text, and a formatted
// need-voucher event parses back to itself.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import * as Events from './Events'
import { mutationsOf, numRuns, onlyThrows } from './internal/fuzzing'
import * as Receipt from './Receipt'

const channelId = `0x${'6d'.repeat(32)}` as const
const receipt = Receipt.create({
  challengeId: 'c',
  channelId,
  chainId: 196,
  acceptedCumulative: 10n,
  spent: 3n,
  units: 1,
  timestamp: '2026-04-01T12:08:30Z',
})
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.jsonValue().map((value) => JSON.stringify(value)),
)

test('parseNeedVoucher on arbitrary text and broken events', () => {
  const valid = { channelId, requiredCumulative: '25', acceptedCumulative: '20', deposit: '50' }
  fc.assert(
    fc.property(
      fc.oneof(
        text,
        mutationsOf(valid).map((value) => JSON.stringify(value) ?? ''),
      ),
      (data) => onlyThrows([Events.MalformedSessionEventError], () => Events.parseNeedVoucher(data)),
    ),
    { numRuns },
  )
})

test('parseReceipt on arbitrary text and broken receipts', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        text,
        mutationsOf(receipt).map((value) => JSON.stringify(value) ?? ''),
      ),
      (data) => onlyThrows([Events.MalformedSessionEventError], () => Events.parseReceipt(data)),
    ),
    { numRuns },
  )
})

test('a need-voucher event survives formatting and parsing', () => {
  const amount = fc.bigInt({ min: 0n, max: 2n ** 128n - 2n })
  fc.assert(
    fc.property(amount, amount, amount, (accepted, extra, deposit) => {
      const required = accepted + (extra % 1000n) + 1n
      if (required > 2n ** 128n - 1n) return
      const event = { channelId, requiredCumulative: required, acceptedCumulative: accepted, deposit }
      assert.deepEqual(Events.parseNeedVoucher(Events.formatNeedVoucher(event)), event)
    }),
    { numRuns },
  )
})
