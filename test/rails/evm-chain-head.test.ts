// The rail judges a transaction's depth against the chain's head as it is now, never a cached one:
// viem caches the block number per client for as long as its polling interval, and a CI run once saw
// reconcile() leave a just-mined authorization `pending` because of it.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createWalletClient, http, parseAbi, parseSignature } from 'viem'
import * as EvmRail from '@/lib/rails/evm'
import * as Settlements from '@/lib/store/settlements'
import { localChain } from '@/scripts/chain/deploy'
import { type EvmFixture, authorizationPayload, freshRecipient, mppChallenge, price, setupEvm } from './evm-fixtures'

describe('EVM rail: depth is judged against the current head', () => {
  let fixture: EvmFixture
  before(async () => {
    fixture = await setupEvm()
  })
  after(async () => {
    await fixture?.close()
  })

  test('an authorization relayed by someone else right after one of our settlements is found settled, not pending', async () => {
    // A minute-long polling interval: any block number viem cached during the first settlement is still "fresh".
    const rail = EvmRail.createEvmRail(
      EvmRail.createEvmConfig({ ...fixture.config, settlerPrivateKey: fixture.config.settlerPrivateKey, pollingIntervalMs: 60_000 }),
      fixture.handle.db,
    )
    const first = mppChallenge(rail, { recipient: freshRecipient() })
    await rail.settleMppCredential({ challenge: first, payload: await authorizationPayload(fixture, fixture.payers[0]!, first) })

    const payer = fixture.payers[1]!
    const recipient = freshRecipient()
    const challenge = mppChallenge(rail, { recipient })
    const payload = await authorizationPayload(fixture, payer, challenge)
    const replayKey = `${fixture.chain.chainId}:${fixture.chain.token.toLowerCase()}:${payer.address.toLowerCase()}:${payload.nonce}`
    // What a crash between claim and broadcast leaves behind, while a third party relays the same authorization.
    await Settlements.claim(fixture.handle.db, {
      replayKey,
      rail: 'evm',
      payer: payer.address,
      amount: price.toString(),
      details: {
        kind: 'authorization',
        token: fixture.chain.token,
        from: payer.address,
        to: recipient,
        value: price.toString(),
        nonce: payload.nonce,
        fromBlock: '0',
      },
    })
    const { r, s, v } = parseSignature(payload.signature)
    const relayer = createWalletClient({
      account: fixture.payers[2]!,
      chain: localChain(fixture.chain.rpcUrl, fixture.chain.chainId),
      transport: http(fixture.chain.rpcUrl),
    })
    const hash = await relayer.writeContract({
      address: fixture.chain.token,
      abi: parseAbi(['function transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32)']),
      functionName: 'transferWithAuthorization',
      args: [payer.address, recipient, price, 0n, BigInt(payload.validBefore), payload.nonce, Number(v), r, s],
    })
    await fixture.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })

    assert.deepEqual(await rail.reconcile({ olderThanMs: 0 }), { settled: [replayKey], failed: [], pending: [] })
    assert.equal((await Settlements.get(fixture.handle.db, replayKey))?.txHash, hash)
    assert.equal(await fixture.balanceOf(recipient), price)
  })
})
