// lib/client/session.ts against a real escrow on anvil and a small local session payee: the client opens
// channels both ways (hash: it broadcasts; authorization: the payee submits), pays request after request
// with cumulative vouchers, tops up, follows SSE payment-need-voucher, closes and force-closes; every
// credential it sends is parsed by the protocol layer, and its vouchers settle on chain.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { zeroAddress } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { SessionClientError, SessionPaymentError, createSessionClient, findOffers } from '@/lib/client/session'
import * as Credential from '@/lib/protocol/Credential'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import * as Receipt from '@/lib/protocol/Receipt'
import { anvilAccount } from '@/scripts/chain/deploy'
import { type EscrowFixture, startEscrowChain } from '@/test/contracts/internal/escrow'
import { type SessionServer, startSessionServer } from './internal/session-server'

const price = 1_000n

let f: EscrowFixture
const servers: SessionServer[] = []
before(async () => {
  f = await startEscrowChain()
})
after(async () => {
  for (const server of servers) await server.stop()
  await f?.stop()
})

async function server(options: Parameters<typeof startSessionServer>[1]) {
  const started = await startSessionServer(f, options)
  servers.push(started)
  return started
}

const client = (
  options: Partial<Parameters<typeof createSessionClient>[0]> & { account: Parameters<typeof createSessionClient>[0]['account'] },
) => createSessionClient({ rpcUrl: f.chain.rpcUrl, ...options })

describe('client-broadcast channels (type="hash")', () => {
  test('opens with approve + open, pays 20 requests with one voucher each, closes: payee gets exactly spent', async () => {
    const payee = await server({ amount: price, suggestedDeposit: 50_000n })
    const payer = anvilAccount(1)
    const payerBefore = await f.balanceOf(payer.address)
    const payeeBefore = await f.balanceOf(f.payee.address)
    const session = client({ account: payer })
    for (let i = 1; i <= 20; i++) {
      const response = await session.fetch(`${payee.url}/paid`)
      assert.equal(response.status, 200, await response.clone().text())
      assert.equal(await response.text(), `paid ${BigInt(i) * price}`)
      const receipt = EvmSession.Receipt.parse(Receipt.deserialize(response.headers.get('payment-receipt')!))
      assert.equal(receipt.spent, String(BigInt(i) * price))
      assert.equal(receipt.reference, receipt.channelId)
    }
    const [open, ...vouchers] = payee.seen.map((s) => s.payload)
    assert.equal(open?.action, 'open')
    assert.equal((open as EvmSession.Payload.OpenHash).type, 'hash')
    assert.equal(open && EvmSession.Payload.voucherOf(open)?.cumulativeAmount, price, 'the initial voucher pays the first request')
    assert.equal(payee.seen[0]?.source, `did:pkh:eip155:${f.chain.chainId}:${payer.address}`)
    assert.deepEqual(
      vouchers.map((p) => (p as EvmSession.Payload.Voucher).cumulativeAmount),
      Array.from({ length: 19 }, (_, i) => String(BigInt(i + 2) * price)),
      'one cumulative voucher per request',
    )
    const channel = session.channels()[0]!
    const onChain = await f.getChannel(channel.channelId)
    assert.equal(onChain.payer, payer.address)
    assert.equal(onChain.deposit, 50_000n, 'the suggested deposit')

    const { receipt } = await session.close(`${payee.url}/paid`)
    assert.match(receipt?.txHash ?? '', /^0x[0-9a-f]{64}$/)
    const spent = 20n * price
    assert.equal(await f.balanceOf(f.payee.address), payeeBefore + spent, 'the payee received exactly what was spent')
    assert.equal(await f.balanceOf(payer.address), payerBefore - spent, 'the payer got deposit - spent back')
    assert.equal((await f.getChannel(channel.channelId)).finalized, true)
  })

  test('tops up with its own transaction when the deposit runs out and maxDeposit allows', async () => {
    const payee = await server({ amount: price })
    const session = client({ account: anvilAccount(2), deposit: 3n * price, maxDeposit: 10n * price, mode: 'hash' })
    for (let i = 0; i < 5; i++) assert.equal((await session.fetch(`${payee.url}/paid`)).status, 200)
    const channel = session.channels()[0]!
    assert.equal((await f.getChannel(channel.channelId)).deposit, 6n * price, 'one top-up of the first deposit size')
    const topUps = payee.seen.filter((s) => s.payload.action === 'topUp')
    assert.equal(topUps.length, 1)
    assert.equal(topUps[0]?.method, 'HEAD')
    assert.equal(channel.deposit, 6n * price)
  })

  test('without maxDeposit it refuses to go beyond the first deposit, and signs nothing above it', async () => {
    const payee = await server({ amount: price })
    const session = client({ account: anvilAccount(3), deposit: 2n * price, mode: 'hash' })
    assert.equal((await session.fetch(`${payee.url}/paid`)).status, 200)
    assert.equal((await session.fetch(`${payee.url}/paid`)).status, 200)
    await assert.rejects(session.fetch(`${payee.url}/paid`), SessionClientError)
    const signed = payee.seen.map((s) => EvmSession.Payload.voucherOf(s.payload)?.cumulativeAmount ?? 0n)
    assert.ok(signed.every((amount) => amount <= 2n * price))
  })
})

describe('relayed channels (type="authorization", feePayer: true)', () => {
  test('the payee opens from the signature (the payer spends no gas) and tops up merged into a voucher', async () => {
    const payee = await server({ amount: price, feePayer: true })
    const payer = privateKeyToAccount(generatePrivateKey())
    await f.send(f.payer, { address: f.token, abi: f.tokenAbi, functionName: 'transfer', args: [payer.address, 100n * price] })
    const session = client({ account: payer, deposit: 4n * price, maxDeposit: 20n * price })
    for (let i = 0; i < 6; i++) assert.equal((await session.fetch(`${payee.url}/paid`)).status, 200)
    assert.equal(await f.publicClient.getBalance({ address: payer.address }), 0n, 'a payer without ETH paid six requests')
    const [open] = payee.seen
    assert.equal((open?.payload as EvmSession.Payload.OpenAuthorization).type, 'authorization')
    const merged = payee.seen.filter((s) => s.payload.action === 'voucher' && s.payload.deposit)
    assert.equal(merged.length, 1, 'one voucher carried the top-up')
    const channel = session.channels()[0]!
    assert.equal((await f.getChannel(channel.channelId)).deposit, 8n * price)
    assert.equal(channel.deposit, 8n * price)
    await session.close(`${payee.url}/paid`)
    assert.equal(await f.balanceOf(payer.address), 100n * price - 6n * price)
  })

  test('a session key signs vouchers (authorizedSigner); the payer key stays offline for them', async () => {
    const payee = await server({ amount: price, feePayer: true })
    const sessionKey = privateKeyToAccount(generatePrivateKey())
    const session = client({ account: anvilAccount(4), voucherSigner: sessionKey })
    assert.equal((await session.fetch(`${payee.url}/paid`)).status, 200)
    assert.equal((await session.fetch(`${payee.url}/paid`)).status, 200)
    const channel = session.channels()[0]!
    assert.equal((await f.getChannel(channel.channelId)).authorizedSigner, sessionKey.address)
    // Its best voucher settles on chain: the escrow checks the session key, not the payer.
    await f.send(f.payee, { functionName: 'settle', args: [channel.channelId, channel.best!.amount, channel.best!.signature] })
    assert.equal((await f.getChannel(channel.channelId)).settled, 2n * price)
  })
})

describe('every credential the client builds', () => {
  test('parses, passes Payload.check, and its vouchers are accepted by settle and close on chain', async () => {
    const payee = await server({ amount: price, feePayer: true })
    const session = client({ account: anvilAccount(5), deposit: 10n * price, maxDeposit: 20n * price })
    const response = await fetch(`${payee.url}/paid`)
    assert.equal(response.status, 402)
    const [offer] = findOffers(response.headers)
    assert.ok(offer)
    const check = (payload: EvmSession.Payload.Payload, source?: string) => {
      const wire = Credential.deserialize(
        Credential.serialize({ challenge: offer.challenge, payload: payload as never, ...(source ? { source } : {}) }),
      )
      const parsed = EvmSession.Payload.parse(wire.payload)
      assert.deepEqual(parsed, payload)
      return EvmSession.Payload.check(parsed, { request: offer.request, source: wire.source, nowSeconds: Math.floor(Date.now() / 1000) })
    }
    const relayed = await session.open(offer, { mode: 'authorization', deposit: 10n * price })
    check(relayed.payload)
    const hashed = await session.open(offer, { mode: 'hash', deposit: 10n * price })
    assert.deepEqual(check(hashed.payload, hashed.source), { channelId: hashed.channel.channelId, payer: anvilAccount(5).address })
    const voucher = await session.voucher(hashed.channel, 3n * price)
    check(voucher)
    const topUp = await session.topUp(hashed.channel, 2n * price, { mode: 'authorization' })
    check(topUp.payload)
    const merged = await session.voucher(hashed.channel, 4n * price, { topUp: price })
    check(merged)
    const closing = await session.closePayload(hashed.channel, 5n * price)
    check(closing)
    // On chain: the hash open exists, its vouchers settle, and the close voucher closes it.
    await f.send(f.payee, { functionName: 'settle', args: [hashed.channel.channelId, 3n * price, voucher.signature] })
    await f.send(f.payee, { functionName: 'close', args: [hashed.channel.channelId, 5n * price, closing.signature] })
    const closed = await f.getChannel(hashed.channel.channelId)
    assert.deepEqual([closed.settled, closed.finalized], [5n * price, true])
    // The relayed open the payee submits opens the channel the client computed.
    const a = (relayed.payload as EvmSession.Payload.OpenAuthorization).authorization
    await f.send(f.payee, {
      functionName: 'openWithAuthorization',
      args: [
        f.payee.address,
        f.token,
        BigInt(a.value),
        relayed.channel.salt,
        zeroAddress,
        a.from,
        0n,
        BigInt(a.validBefore),
        a.nonce,
        (relayed.payload as EvmSession.Payload.OpenAuthorization).signature,
      ],
    })
    assert.equal((await f.getChannel(relayed.channel.channelId)).deposit, 10n * price)
  })

  test('never signs above the deposit', async () => {
    const payee = await server({ amount: price })
    const response = await fetch(`${payee.url}/paid`)
    const [offer] = findOffers(response.headers)
    const session = client({ account: anvilAccount(6) })
    const { channel } = await session.open(offer!, { mode: 'authorization', deposit: 5n })
    await assert.rejects(session.voucher(channel, 6n), SessionClientError)
  })
})

describe('SSE streams', () => {
  test(
    'pauses on payment-need-voucher, sends a voucher with HEAD to the same URL, resumes, ends with the receipt',
    { timeout: 60_000 },
    async () => {
      const payee = await server({ amount: price, feePayer: true, streamTokens: 6 })
      const session = client({ account: anvilAccount(7), deposit: 20n * price })
      const data: string[] = []
      let receipt: EvmSession.Receipt.Receipt | undefined
      for await (const event of session.stream(`${payee.url}/stream`)) {
        if (event.event === EvmSession.Events.receiptEvent) receipt = EvmSession.Events.parseReceipt(event.data)
        else data.push(event.data)
      }
      assert.deepEqual(
        data,
        Array.from({ length: 6 }, (_, i) => `token ${i}`),
      )
      // The opening voucher covered the first token; each later token needed one more voucher.
      const heads = payee.seen.filter((s) => s.method === 'HEAD' && s.path === '/stream')
      assert.equal(heads.length, 5)
      assert.deepEqual(
        heads.map((s) => (s.payload as EvmSession.Payload.Voucher).cumulativeAmount),
        [2n, 3n, 4n, 5n, 6n].map((n) => String(n * price)),
      )
      assert.equal(receipt?.spent, String(6n * price))
      assert.equal(receipt?.acceptedCumulative, String(6n * price))
      const channel = session.channels()[0]!
      assert.equal(channel.spent, 6n * price)
    },
  )

  test('minVoucherDelta: each voucher raises the amount by at least the delta', { timeout: 60_000 }, async () => {
    const payee = await server({ amount: price, feePayer: true, streamTokens: 7, minVoucherDelta: 3n * price })
    const session = client({ account: anvilAccount(8), deposit: 30n * price })
    for await (const event of session.stream(`${payee.url}/stream`)) void event
    const amounts = payee.seen.map((s) => EvmSession.Payload.voucherOf(s.payload)?.cumulativeAmount ?? 0n)
    for (let i = 1; i < amounts.length; i++) assert.ok(amounts[i]! - amounts[i - 1]! >= 3n * price, `${amounts}`)
  })
})

describe('hostile or failing servers', () => {
  test('a stream asking for another channel, or for more than the limit, gets no signature', { timeout: 60_000 }, async () => {
    const payee = await server({ amount: price, feePayer: true, streamTokens: 3 })
    const session = client({ account: anvilAccount(9), deposit: 20n * price })
    await assert.rejects(async () => {
      for await (const event of session.stream(`${payee.url}/stream`, {}, { maxCumulative: price })) void event
    }, /above this client's limit/)
    const signedAbove = payee.seen.some((s) => (EvmSession.Payload.voucherOf(s.payload)?.cumulativeAmount ?? 0n) > price)
    assert.equal(signedAbove, false)

    const needVoucher = (channelId: string, required: bigint) =>
      `event: payment-need-voucher\ndata: {"channelId":"${channelId}","requiredCumulative":"${required}","acceptedCumulative":"0","deposit":"${20n * price}"}\n\n`
    const follow = async (hostile: Awaited<ReturnType<typeof hostileStream>>) => {
      const victim = createSessionClient({ rpcUrl: f.chain.rpcUrl, account: anvilAccount(1), deposit: 20n * price, fetch: hostile.fetch })
      for await (const event of victim.stream(hostile.url)) void event
    }
    await assert.rejects(follow(await hostileStream(() => needVoucher(`0x${'ab'.repeat(32)}`, 2n * price))), /not 0x/)
    // Asking again and again for an amount it already accepted: the client stops instead of looping.
    await assert.rejects(follow(await hostileStream((channelId) => needVoucher(channelId, price).repeat(10))), /keeps asking/)
  })

  test('a fresh challenge after invalid-challenge is used once, with the same Idempotency-Key', async () => {
    const payee = await server({ amount: price })
    const session = client({ account: anvilAccount(1), deposit: 10n * price, mode: 'hash' })
    assert.equal((await session.fetch(`${payee.url}/paid`)).status, 200)
    payee.failNextChallenge()
    assert.equal((await session.fetch(`${payee.url}/paid`)).status, 200)
    const [, refused, retried] = payee.seen
    assert.equal(refused?.idempotencyKey, retried?.idempotencyKey)
    assert.ok(refused?.idempotencyKey)
    assert.deepEqual(refused?.payload, retried?.payload, 'the same voucher, against the fresh challenge')
  })

  test('a refusal surfaces as SessionPaymentError with the problem type', async () => {
    const payee = await server({ amount: price })
    const session = client({ account: anvilAccount(2), deposit: 10n * price, mode: 'hash' })
    assert.equal((await session.fetch(`${payee.url}/paid`)).status, 200)
    const channel = session.channels()[0]!
    // The payer force-closes behind the server's back; the server now refuses vouchers (pending close: 410).
    await session.requestClose(channel)
    await assert.rejects(session.fetch(`${payee.url}/paid`), (error: unknown) => {
      assert.ok(error instanceof SessionPaymentError)
      assert.equal(error.status, 410)
      assert.equal(error.problem?.code, 'session/channel-finalized')
      return true
    })
  })
})

test('forced close from the client: requestClose, the grace period, withdraw of what no voucher settled', async () => {
  const payee = await server({ amount: price })
  const payer = anvilAccount(3)
  const session = client({ account: payer, deposit: 10n * price, mode: 'hash' })
  for (let i = 0; i < 3; i++) assert.equal((await session.fetch(`${payee.url}/paid`)).status, 200)
  const channel = session.channels()[0]!
  await session.requestClose(channel)
  // The payee answers with its best voucher within the grace period.
  const best = payee.channels.get(channel.channelId)!.best!
  await f.send(f.payee, { functionName: 'settle', args: [channel.channelId, best.amount, best.signature] })
  await f.testClient.increaseTime({ seconds: 15 * 60 })
  const before = await f.balanceOf(payer.address)
  await session.withdraw(channel)
  assert.equal(await f.balanceOf(payer.address), before + 10n * price - 3n * price)
})

/** A server that answers 402 with a session challenge, then streams `body(channelId)` to the paid request. */
async function hostileStream(body: (channelId: string) => string) {
  const payee = await server({ amount: price, feePayer: true })
  const probe = await fetch(`${payee.url}/paid`)
  const challengeHeader = probe.headers.get('www-authenticate')!
  let paid = false
  const fakeFetch: typeof fetch = async (_input, init) => {
    const credential = Credential.fromHeaders(new Headers(init?.headers))
    if (!credential) return new Response(null, { status: 402, headers: { 'www-authenticate': challengeHeader } })
    if (paid) return new Response(null, { status: 200 })
    paid = true
    return new Response(body(String(credential.payload.channelId)), { status: 200, headers: { 'content-type': 'text/event-stream' } })
  }
  return { url: `${payee.url}/stream`, fetch: fakeFetch }
}
