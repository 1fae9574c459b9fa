// The evm/session rail on anvil and a real database, paid by lib/client/session.ts through a minimal
// HTTP front (what the gate will do): channels opened both ways, vouchers accounted in the database,
// top-ups, metered streams, cooperative close; settlement by threshold, the dashboard's actions, and
// the escrow checked at startup.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { createSessionClient } from '@/lib/client/session'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import * as Receipt from '@/lib/protocol/Receipt'
import * as EvmRail from '@/lib/rails/evm'
import * as SessionRail from '@/lib/rails/evm/session'
import * as SessionChannels from '@/lib/store/session-channels'
import * as SessionTransactions from '@/lib/store/session-transactions'
import { anvilAccount } from '@/scripts/chain/deploy'
import { type SessionPayee, startSessionPayee } from './internal/session-payee'
import {
  type SessionFixture,
  owner,
  openHashPayload,
  openOnChain,
  sessionChallenge,
  setupSession,
  unitPrice,
  voucherPayload,
} from './session-fixtures'

let fx: SessionFixture
const payees: SessionPayee[] = []
before(async () => {
  fx = await setupSession()
})
after(async () => {
  for (const payee of payees) await payee.stop()
  await fx?.close()
})

async function payee(options: Partial<Parameters<typeof startSessionPayee>[1]> = {}) {
  const started = await startSessionPayee(fx.rail, { amountPerUnit: unitPrice, ...options })
  payees.push(started)
  return started
}

const client = (
  options: Partial<Parameters<typeof createSessionClient>[0]> & { account: Parameters<typeof createSessionClient>[0]['account'] },
) => createSessionClient({ rpcUrl: fx.f.chain.rpcUrl, ...options })

describe('paid by the session client', () => {
  test('100 voucher-paid requests, then close: the payee receives exactly what was spent, the payer the rest of the deposit', async () => {
    const server = await payee({ suggestedDeposit: 150n * unitPrice })
    const payer = anvilAccount(5)
    const payerBefore = await fx.f.balanceOf(payer.address)
    const payeeBefore = await fx.f.balanceOf(fx.rail.payee)
    const session = client({ account: payer, mode: 'hash' })
    for (let i = 1; i <= 100; i++) {
      const response = await session.fetch(`${server.url}/paid`)
      assert.equal(response.status, 200, await response.clone().text())
      assert.equal(await response.text(), `paid ${BigInt(i) * unitPrice}`)
      const receipt = EvmSession.Receipt.parse(Receipt.deserialize(response.headers.get('payment-receipt')!))
      assert.equal(receipt.spent, String(BigInt(i) * unitPrice))
      assert.equal(receipt.acceptedCumulative, String(BigInt(i) * unitPrice))
      assert.equal(receipt.units, 1)
      assert.equal(receipt.reference, receipt.channelId)
    }
    const channel = session.channels()[0]!
    const stored = await SessionChannels.getChannel(fx.handle.db, channel.channelId)
    assert.deepEqual(
      [stored?.accepted, stored?.spent, stored?.deposit],
      [String(100n * unitPrice), String(100n * unitPrice), String(150n * unitPrice)],
    )
    assert.equal(server.accepted.filter((a) => a.action === 'voucher').length, 99)

    const { receipt } = await session.close(`${server.url}/paid`)
    assert.match(receipt?.txHash ?? '', /^0x[0-9a-f]{64}$/)
    assert.equal(receipt?.spent, String(100n * unitPrice))
    const spent = 100n * unitPrice
    assert.equal(await fx.f.balanceOf(fx.rail.payee), payeeBefore + spent, 'the payee received exactly what was spent')
    assert.equal(await fx.f.balanceOf(payer.address), payerBefore - spent, 'the payer got deposit - spent back')
    const onChain = await fx.f.getChannel(channel.channelId)
    assert.equal(onChain.finalized, true)
    assert.equal(onChain.settled, spent)
    const view = await fx.rail.getChannel(channel.channelId)
    assert.equal(view?.status, 'closed')
    assert.equal(view?.settledOnChain, spent)
    assert.equal(view?.closeTxHash, receipt?.txHash)
    const close = server.accepted.at(-1)
    assert.equal(close?.action, 'close')
    assert.equal(close?.serves, 'receipt')
  })
})
