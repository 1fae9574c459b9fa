// Exactly-once settlement as a payer sees it: a replayed credential (MPP or x402) gets a 402 with a
// fresh challenge, and 20 concurrent requests carrying one credential yield one 200 and one transfer.
// Shared by the single-instance suite and the two-instance (shared PostgreSQL) suite.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as Credential from '@/lib/protocol/Credential'
import * as PaymentRequired from '@/lib/protocol/x402/PaymentRequired'
import * as PaymentResponse from '@/lib/protocol/x402/PaymentResponse'
import * as Receipt from '@/lib/protocol/Receipt'
import { anvilAccount } from '@/scripts/chain/deploy'
import type { Stack } from '@/test/support/stack'
import { baseUnits, ledger } from './ledger'
import { mppCredentialFor, x402SignatureFor } from './payers'
import { assertProblem } from './problems'

export type ReplayTarget = {
  stack: Stack
  /** Base URLs of the instances to spread requests over (one or more). */
  instances: string[]
}

const concurrentRequests = 20

/** Registers the replay and concurrency tests; `target()` is read when the tests run. */
export function replayTests(target: () => ReplayTarget, payers: { mpp: number[]; x402: number[] }): void {
  const at = (i: number, path: string) => {
    const { instances } = target()
    return `${instances[i % instances.length]}${path}`
  }
  const secret = () => target().stack.env.MPP_SECRET_KEY!

  async function unpaid(path: string, instance = 0): Promise<Response> {
    const response = await fetch(at(instance, path))
    assert.equal(response.status, 402)
    return response
  }

  test('a replayed MPP credential gets a 402 with a fresh challenge (invalid-challenge), not a second delivery', async () => {
    const { stack } = target()
    const chain = ledger(stack.chain)
    const credential = await mppCredentialFor(anvilAccount(payers.mpp[0]!), await unpaid('/l/demo', 0))
    const echoedId = Credential.deserialize(credential).challenge.id
    const before = await chain.balanceOf(stack.merchant)

    const first = await fetch(at(0, '/l/demo'), { headers: { authorization: credential } })
    assert.equal(first.status, 200, await first.clone().text())
    assert.equal(Receipt.deserialize(first.headers.get('payment-receipt')!).status, 'success')
    await first.body?.cancel()

    for (const instance of [1, 0]) {
      const replay = await fetch(at(instance, '/l/demo'), { headers: { authorization: credential } })
      await assertProblem(replay, { status: 402, code: 'invalid-challenge', secret: secret(), notIds: [echoedId] })
    }
    assert.equal(await chain.balanceOf(stack.merchant), before + baseUnits('0.01'))
  })

  test('a replayed x402 PAYMENT-SIGNATURE gets a 402 with a fresh offer and a problem type', async () => {
    const { stack } = target()
    const chain = ledger(stack.chain)
    const signature = await x402SignatureFor(anvilAccount(payers.x402[0]!), stack.chain, await unpaid('/l/demo', 1))
    const before = await chain.balanceOf(stack.merchant)

    const first = await fetch(at(1, '/l/demo'), { headers: { 'payment-signature': signature } })
    assert.equal(first.status, 200, await first.clone().text())
    assert.equal(PaymentResponse.decode(first.headers.get('payment-response')!).success, true)
    await first.body?.cancel()

    for (const instance of [0, 1]) {
      const replay = await fetch(at(instance, '/l/demo'), { headers: { 'payment-signature': signature } })
      const required = replay.headers.get('payment-required')
      const { body } = await assertProblem(replay, { status: 402, code: 'invalid-challenge', secret: secret() })
      assert.ok(required)
      assert.equal(PaymentRequired.decode(required).error, body.detail, 'the x402 offer says why the payment was refused')
    }
    assert.equal(await chain.balanceOf(stack.merchant), before + baseUnits('0.01'))
  })

  for (const protocol of ['mpp', 'x402'] as const) {
    test(`${concurrentRequests} concurrent requests with one ${protocol} credential: exactly one 200 and one transfer`, async () => {
      const { stack, instances } = target()
      const chain = ledger(stack.chain)
      const payer = anvilAccount(protocol === 'mpp' ? payers.mpp[1]! : payers.x402[1]!)
      const challenge = await unpaid('/api/examples/joke', 0)
      const headers: Record<string, string> =
        protocol === 'mpp'
          ? { authorization: await mppCredentialFor(payer, challenge) }
          : { 'payment-signature': await x402SignatureFor(payer, stack.chain, challenge) }
      const fromBlock = (await chain.blockNumber()) + 1n
      const before = await chain.balanceOf(stack.merchant)

      const responses = await Promise.all(
        Array.from({ length: concurrentRequests }, (_, i) => fetch(at(i, '/api/examples/joke'), { headers })),
      )
      const statuses = responses.map((r) => r.status)
      assert.equal(statuses.filter((s) => s === 200).length, 1, `statuses: ${statuses.join(',')}`)
      for (const response of responses) {
        if (response.status === 200) {
          assert.ok(((await response.json()) as { joke: string }).joke)
          continue
        }
        await assertProblem(response, { status: 402, secret: secret() })
      }

      const transfers = (await chain.transfersTo(stack.merchant, fromBlock)).filter((t) => t.from === payer.address)
      assert.equal(transfers.length, 1, 'exactly one transfer from the payer')
      assert.equal(transfers[0]!.value, baseUnits('0.01'))
      assert.equal(await chain.balanceOf(stack.merchant), before + baseUnits('0.01'))
      assert.ok(instances.length >= 1)
    })
  }
}
