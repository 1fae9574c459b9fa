import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as Sse from '@/lib/protocol/Sse'
import * as Events from './Events'
import * as Receipt from './Receipt'

const channelId = `0x${'6d'.repeat(32)}` as const

test('payment-need-voucher: the spec example, as SSE and back', () => {
  const event = { channelId, requiredCumulative: 250_025n, acceptedCumulative: 250_000n, deposit: 500_000n }
  const wire = Sse.format({ event: Events.needVoucherEvent, data: Events.formatNeedVoucher(event) })
  const [parsed] = Sse.createParser().push(wire)
  assert.equal(parsed?.event, 'payment-need-voucher')
  assert.deepEqual(JSON.parse(parsed!.data), { channelId, requiredCumulative: '250025', acceptedCumulative: '250000', deposit: '500000' })
  assert.deepEqual(Events.parseNeedVoucher(parsed!.data), event)
  // The spec prints its example data over two lines; SSE joins them with "\n", which JSON accepts.
  assert.deepEqual(
    Events.parseNeedVoucher(
      `{"channelId":"${channelId}",\n  "requiredCumulative":"250025",\n  "acceptedCumulative":"250000",\n  "deposit":"500000"}`,
    ),
    event,
  )
})

test('payment-need-voucher refuses data a client must not act on', () => {
  const base = { channelId, requiredCumulative: '2', acceptedCumulative: '1', deposit: '5' }
  for (const data of [
    'not json',
    '[]',
    JSON.stringify({ ...base, channelId: '0x12' }),
    JSON.stringify({ ...base, requiredCumulative: 2 }),
    JSON.stringify({ ...base, requiredCumulative: '1' }),
    JSON.stringify({ ...base, deposit: undefined }),
    JSON.stringify({ ...base, requiredCumulative: (2n ** 128n).toString() }),
  ])
    assert.throws(() => Events.parseNeedVoucher(data), Events.MalformedSessionEventError, data)
})

test('payment-receipt: a session receipt as event data', () => {
  const receipt = Receipt.create({ challengeId: 'c', channelId, chainId: 31337, acceptedCumulative: 10n, spent: 9n, units: 3 })
  assert.deepEqual(Events.parseReceipt(Events.formatReceipt(receipt)), receipt)
  for (const data of [
    'x',
    '{}',
    JSON.stringify({ ...receipt, status: 'failed' }),
    JSON.stringify({ ...receipt, timestamp: 'yesterday' }),
    JSON.stringify({ ...receipt, reference: 'r' }),
  ])
    assert.throws(() => Events.parseReceipt(data), Events.MalformedSessionEventError, data)
})
