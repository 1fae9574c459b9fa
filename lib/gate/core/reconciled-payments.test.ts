// A payment recovered from its durable settlement record (after a crash) is recorded as it came: MPP over HTTP,
// MCP over JSON-RPC, or x402.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import * as Payments from '@/lib/store/payments'
import * as Settlements from '@/lib/store/settlements'
import { fakeGate, type FakeGate } from '../testing/fake-gate'
import { recordReconciled, settledFromRecord } from './reconciled-payments'

let fake: FakeGate
before(async () => {
  fake = await fakeGate()
})
after(async () => {
  await fake.handle.close()
})

const sale = { key: 'route:GET /api/fortune', priceUsd: '0.01', linkId: null, merchantId: null }

test('the protocol a settlement record kept is the one its recovered payment gets', async () => {
  for (const [key, kept, expected] of [
    ['31337:0xtoken:0xpayer:0x01', { protocol: 'mcp', challengeId: 'c1' }, 'mcp'],
    ['31337:0xtoken:0xpayer:0x02', { protocol: 'x402' }, 'x402'],
    ['31337:0xtoken:0xpayer:0x03', { protocol: 'mpp', challengeId: 'c3' }, 'mpp'],
    ['31337:0xtoken:0xpayer:0x04', {}, 'mpp'],
  ] as const) {
    await Settlements.claim(fake.gate.db, { replayKey: key, rail: 'evm', payer: '0xpayer', amount: '10000', details: { ...kept, sale } })
    await Settlements.markSettled(fake.gate.db, key, `0x${key.slice(-2).padStart(64, '0')}`)
    const record = (await Settlements.get(fake.gate.db, key))!
    assert.equal(settledFromRecord(fake.gate, record).protocol, expected)
    await recordReconciled(fake.gate, [key])
    assert.equal((await Payments.getBySettlementKey(fake.gate.db, key))?.protocol, expected)
  }
})
