// Issue 14 acceptance on a running server (next start), a real anvil and the embedded database: the
// project's session client pays /l/demo-session per request with one voucher each, tops up, follows a
// metered SSE stream through its pauses, and closes — the chain, the receipts and the dashboard agree on
// every number; hand-built hostile credentials are refused with the spec's problem and nothing is served;
// twenty concurrent copies of one voucher serve one request; a kill -9 between charging and delivering
// loses nothing; and a payer's forced close is answered by the running app's jobs.
import assert from 'node:assert/strict'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { type Hex, zeroAddress } from 'viem'
import { SessionPaymentError, createSessionClient } from '@/lib/client/session'
import * as Credential from '@/lib/protocol/Credential'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import * as Receipt from '@/lib/protocol/Receipt'
import type * as Sse from '@/lib/protocol/Sse'
import { startApp } from '@/scripts/app'
import { anvilAccount, anvilPrivateKey } from '@/scripts/chain/deploy'
import { type Client, jsonInit, signIn } from '@/test/dashboard/support'
import { waitFor } from '@/test/support/ports'
import { type Stack, startStack } from '@/test/support/stack'
import { type Ledger, ledger } from './internal/ledger'
import { assertProblem } from './internal/problems'
import { dashboardChannel, escrowOf, sendCredential, sessionOffer, signedVoucher } from './internal/sessions'

/** $0.001 a request, in TestUSDC base units. */
const price = 1_000n
const answer = 'One request, paid by a voucher on your channel.'

let stack: Stack
let chain: Ledger
let escrow: ReturnType<typeof escrowOf>
let merchant: Client
let link: string
let linkId: string

before(async () => {
  stack = await startStack({ env: { SESSION_JOB_INTERVAL_SECONDS: '1' } })
  chain = ledger(stack.chain)
  escrow = escrowOf(stack.chain)
  merchant = await signIn(stack.url, anvilPrivateKey(0))
  link = `${stack.url}/l/demo-session`
  linkId = stack.links.find((l) => l.slug === 'demo-session')!.id
})
after(async () => {
  await stack?.stop()
})

/** A fetch that records each credential it sends: the HTTP method and the payload's action and amount. */
function recording() {
  const sent: Array<{ method: string; action: string; cumulativeAmount?: string; topUp: boolean }> = []
  const responses: Array<{ method: string; url: string; receipt: string | null; type: string | null }> = []
  const recorder: typeof fetch = async (input, init) => {
    const request = new Request(input, init)
    const header = request.headers.get('authorization')
    if (header) {
      const payload = Credential.deserialize(header).payload as Record<string, unknown>
      sent.push({
        method: request.method,
        action: String(payload.action),
        ...(typeof payload.cumulativeAmount === 'string' ? { cumulativeAmount: payload.cumulativeAmount } : {}),
        topUp: payload.deposit !== undefined,
      })
    }
    const response = await fetch(input, init)
    if (header)
      responses.push({
        method: request.method,
        url: request.url,
        receipt: response.headers.get('payment-receipt'),
        type: response.headers.get('content-type'),
      })
    return response
  }
  return { fetch: recorder, sent, responses }
}

function sessionReceipt(response: Response): EvmSession.Receipt.Receipt {
  const header = response.headers.get('payment-receipt')
  assert.ok(header, `a paid response carries Payment-Receipt (HTTP ${response.status})`)
  return EvmSession.Receipt.parse(Receipt.deserialize(header))
}

describe('a channel from open to close', () => {
  test('an unpaid request is offered one evm/session challenge with the link’s terms and no per-call offer', async () => {
    const response = await fetch(link)
    const { challenges } = await assertProblem(response, { status: 402, code: 'payment-required', secret: stack.env.MPP_SECRET_KEY! })
    assert.deepEqual(
      challenges.map((c) => `${c.method}/${c.intent}`),
      ['evm/session'],
    )
    assert.equal(response.headers.get('payment-required'), null, 'no x402 offer for a session-only link')
    const request = EvmSession.Request.parse(challenges[0]!.request)
    assert.equal(request.amount, String(price))
    assert.equal(request.unitType, 'request')
    assert.equal(request.suggestedDeposit, '100000')
    assert.equal(request.recipient, stack.merchant)
    assert.equal(request.methodDetails.escrowContract, stack.chain.escrow)
    assert.equal(request.methodDetails.chainId, stack.chain.chainId)
    assert.deepEqual(EvmSession.Request.acceptedCredentialTypes(request), ['authorization', 'hash'])
  })

  test('100 requests with one voucher each, a top-up, a stream that pauses and resumes, a close: chain, receipts and dashboard agree', async () => {
    const payer = anvilAccount(2)
    const recorder = recording()
    const session = createSessionClient({ account: payer, rpcUrl: stack.chain.rpcUrl, maxDeposit: 300_000n, fetch: recorder.fetch })
    const [payerBefore, payeeBefore] = [await chain.balanceOf(payer.address), await chain.balanceOf(stack.merchant)]

    for (let i = 1n; i <= 100n; i++) {
      const response = await session.fetch(link)
      assert.equal(response.status, 200)
      assert.equal(response.headers.get('cache-control'), 'private')
      const receipt = sessionReceipt(response)
      assert.equal(receipt.spent, String(i * price))
      assert.equal(receipt.acceptedCumulative, String(i * price))
      assert.equal(receipt.units, 1)
      assert.equal((await response.json()).answer, answer)
    }
    assert.equal(recorder.sent.length, 100, 'one credential per request')
    assert.equal(recorder.sent[0]!.action, 'open')
    recorder.sent.forEach((sent, i) => assert.equal(sent.cumulativeAmount, String(BigInt(i + 1) * price), `request ${i + 1}'s voucher`))
    const channel = session.channels()[0]!
    assert.equal(channel.deposit, 100_000n, 'the suggested deposit, all spent')
    assert.equal((await escrow.getChannel(channel.channelId)).payer, payer.address)

    // The 101st request needs more than the deposit: the client merges an EIP-3009 top-up into its voucher.
    const topped = await session.fetch(link)
    assert.equal(topped.status, 200)
    assert.equal(sessionReceipt(topped).spent, String(101n * price))
    assert.equal(recorder.sent.at(-1)!.topUp, true)
    assert.equal(channel.deposit, 200_000n)
    assert.equal((await escrow.getChannel(channel.channelId)).deposit, 200_000n)

    // A stream billed per token ($0.0001) on the same channel: it pauses for vouchers and resumes.
    const sentBeforeStream = recorder.sent.length
    const events: Sse.Event[] = []
    for await (const event of session.stream(`${stack.url}/api/examples/stream?tokens=40`)) events.push(event)
    const tokens = events.filter((e) => e.event === 'message')
    assert.equal(tokens.length, 40, 'every token arrived')
    assert.deepEqual(
      tokens.map((e) => (JSON.parse(e.data) as { index: number }).index),
      [...Array(40).keys()],
    )
    const opening = recorder.responses.find((r) => r.method === 'GET' && r.url.includes('/api/examples/stream'))
    assert.match(opening?.type ?? '', /^text\/event-stream/)
    assert.ok(opening?.receipt, 'the stream’s receipt is in its initial headers too')
    assert.ok(
      recorder.responses.filter((r) => r.method === 'HEAD').every((r) => r.receipt),
      'every HEAD voucher is answered with a receipt',
    )
    const streamVouchers = recorder.sent.slice(sentBeforeStream)
    const paused = streamVouchers.filter((s) => s.method === 'HEAD')
    assert.ok(paused.length >= 3, `the stream paused and resumed with HEAD vouchers (${paused.length})`)
    const final = events.at(-1)!
    assert.equal(final.event, EvmSession.Events.receiptEvent, 'the stream ends with its receipt')
    const streamed = EvmSession.Events.parseReceipt(final.data)
    const spent = 101n * price + 40n * 100n
    assert.equal(streamed.spent, String(spent))
    assert.equal(streamed.units, 40)

    const closed = await session.close(link)
    assert.equal(closed.response.status, 200)
    assert.ok(closed.receipt?.txHash, 'the close receipt names its transaction')
    assert.equal(closed.receipt.spent, String(spent))

    const onChain = await escrow.getChannel(channel.channelId)
    assert.equal(onChain.finalized, true)
    assert.equal(onChain.settled, spent)
    assert.equal(await chain.balanceOf(stack.merchant), payeeBefore + spent, 'the payee received exactly what was spent')
    assert.equal(
      await chain.balanceOf(payer.address),
      payerBefore - spent,
      'the payer got back deposit - spent (and paid no gas in tokens)',
    )

    const shown = await dashboardChannel(merchant, channel.channelId, linkId)
    assert.ok(shown, 'the link lists its channel')
    assert.equal(shown.status, 'closed')
    assert.equal(shown.payer, payer.address)
    assert.equal(shown.deposit, '200000')
    assert.equal(shown.spent, String(spent))
    assert.equal(shown.settledOnChain, String(spent))
    assert.ok(shown.lastVoucherAt)

    // A voucher on the closed channel: 410, nothing served.
    const offer = await sessionOffer(link)
    const late = await sendCredential(
      link,
      offer,
      await signedVoucher(payer, { chainId: stack.chain.chainId, escrow: stack.chain.escrow }, channel.channelId, spent + price),
    )
    await assertProblem(late, { status: 410, code: 'session/channel-finalized', secret: stack.env.MPP_SECRET_KEY! })
  })
})

describe('hostile credentials are refused with the spec’s type, and nothing is served', () => {
  const payer = anvilAccount(3)
  const domain = () => ({ chainId: stack.chain.chainId, escrow: stack.chain.escrow })
  let session: ReturnType<typeof createSessionClient>
  let channelId: Hex

  before(async () => {
    session = createSessionClient({ account: payer, rpcUrl: stack.chain.rpcUrl, mode: 'hash' })
    assert.equal((await session.fetch(link)).status, 200)
    channelId = session.channels()[0]!.channelId
  })

  /** Sends `payload` against a fresh challenge and checks the problem; the channel's books must not move. */
  async function refused(payload: EvmSession.Payload.Payload, status: number, code: string, options: { source?: string } = {}) {
    const before = await dashboardChannel(merchant, channelId)
    const response = await sendCredential(link, await sessionOffer(link), payload, options)
    const text = await response.clone().text()
    assert.doesNotMatch(text, new RegExp(answer), 'the resource is not served')
    await assertProblem(response, { status, code: code as never, secret: stack.env.MPP_SECRET_KEY! })
    const after = await dashboardChannel(merchant, channelId)
    assert.deepEqual([after?.accepted, after?.spent], [before?.accepted, before?.spent], 'the channel’s books did not move')
  }

  test('a malformed signature: 402 session/invalid-signature', async () => {
    await refused(
      { action: 'voucher', channelId, cumulativeAmount: String(2n * price), signature: `0x${'00'.repeat(64)}1b` },
      402,
      'session/invalid-signature',
    )
  })

  test('a signer who is not the payer: 402 session/signer-mismatch', async () => {
    await refused(await signedVoucher(anvilAccount(9), domain(), channelId, 2n * price), 402, 'session/signer-mismatch')
  })

  test('the high-s twin of a valid signature: 402 session/invalid-signature', async () => {
    const valid = await signedVoucher(payer, domain(), channelId, 2n * price)
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
    const s = BigInt(`0x${valid.signature.slice(66, 130)}`)
    const v = Number.parseInt(valid.signature.slice(130), 16)
    const twin = `0x${valid.signature.slice(2, 66)}${(n - s).toString(16).padStart(64, '0')}${(55 - v).toString(16)}` as Hex
    await refused({ ...valid, signature: twin }, 402, 'session/invalid-signature')
  })

  test('an amount above the deposit: 402 session/amount-exceeds-deposit', async () => {
    await refused(await signedVoucher(payer, domain(), channelId, 100_001n), 402, 'session/amount-exceeds-deposit')
  })

  test('a voucher signed for another escrow, or another chain: 402 session/signer-mismatch', async () => {
    await refused(
      await signedVoucher(payer, { ...domain(), escrow: stack.chain.token }, channelId, 2n * price),
      402,
      'session/signer-mismatch',
    )
    await refused(await signedVoucher(payer, { ...domain(), chainId: 1 }, channelId, 2n * price), 402, 'session/signer-mismatch')
  })

  test('an unknown channel: 410 session/channel-not-found', async () => {
    const unknown = `0x${'ab'.repeat(32)}` as Hex
    const response = await sendCredential(link, await sessionOffer(link), await signedVoucher(payer, domain(), unknown, price))
    assert.doesNotMatch(await response.clone().text(), new RegExp(answer))
    await assertProblem(response, { status: 410, code: 'session/channel-not-found', secret: stack.env.MPP_SECRET_KEY! })
  })

  test('an increase below minVoucherDelta (the stream’s $0.001): 402 session/delta-too-small', async () => {
    const stream = `${stack.url}/api/examples/stream`
    const offer = await sessionOffer(stream)
    assert.equal(offer.request.methodDetails.minVoucherDelta, '1000')
    const shown = await dashboardChannel(merchant, channelId)
    const response = await sendCredential(stream, offer, await signedVoucher(payer, domain(), channelId, BigInt(shown!.accepted) + 1n), {
      method: 'HEAD',
    })
    assert.equal(response.status, 402, 'HEAD refusals carry no body')
    const get = await sendCredential(
      stream,
      await sessionOffer(stream),
      await signedVoucher(payer, domain(), channelId, BigInt(shown!.accepted) + 1n),
    )
    await assertProblem(get, { status: 402, code: 'session/delta-too-small', secret: stack.env.MPP_SECRET_KEY! })
  })

  test('an open whose transaction opened another channel: 402 verification-failed; the same open again: 409 session/transaction-reverted', async () => {
    const offer = await sessionOffer(link)
    const opened = await session.open(offer, { mode: 'hash', deposit: 10n * price, initialAmount: price })
    const first = await sendCredential(link, offer, opened.payload, { source: opened.source! })
    assert.equal(first.status, 200)
    assert.equal((await first.json()).answer, answer)

    // Another salt derives another channelId; the transaction named opened the first one.
    const salt = `0x${'cd'.repeat(32)}` as Hex
    const otherId = EvmSession.Channel.computeId({
      payer: payer.address,
      payee: stack.merchant,
      token: stack.chain.token,
      salt,
      authorizedSigner: zeroAddress,
      escrow: stack.chain.escrow,
      chainId: stack.chain.chainId,
    })
    const fresh = await sessionOffer(link)
    const voucher = await signedVoucher(payer, domain(), otherId, price)
    const forged = { ...(opened.payload as EvmSession.Payload.OpenHash), channelId: otherId, salt, signature: voucher.signature }
    const response = await sendCredential(link, fresh, forged, { source: opened.source! })
    assert.doesNotMatch(await response.clone().text(), new RegExp(answer))
    await assertProblem(response, { status: 402, code: 'verification-failed', secret: stack.env.MPP_SECRET_KEY! })

    const replayed = await sendCredential(link, await sessionOffer(link), opened.payload, { source: opened.source! })
    assert.doesNotMatch(await replayed.clone().text(), new RegExp(answer))
    await assertProblem(replayed, { status: 409, code: 'session/transaction-reverted', secret: stack.env.MPP_SECRET_KEY! })
  })
})

test('twenty concurrent requests carrying the one voucher that covers one more unit: exactly one is served', async () => {
  const payer = anvilAccount(4)
  const session = createSessionClient({ account: payer, rpcUrl: stack.chain.rpcUrl })
  assert.equal((await session.fetch(link)).status, 200)
  const channel = session.channels()[0]!
  const offer = await sessionOffer(link)
  const payload = await session.voucher(channel, 2n * price)
  const responses = await Promise.all(
    Array.from({ length: 20 }, (_, i) => sendCredential(link, offer, payload, { idempotencyKey: `concurrent-${i}` })),
  )
  const served = responses.filter((r) => r.status === 200)
  assert.equal(served.length, 1, `statuses: ${responses.map((r) => r.status).join(',')}`)
  for (const response of responses.filter((r) => r.status !== 200)) {
    const { body } = await assertProblem(response, { status: 402, code: 'session/insufficient-balance', secret: stack.env.MPP_SECRET_KEY! })
    assert.doesNotMatch(JSON.stringify(body), new RegExp(answer))
  }
  assert.equal((await served[0]!.json()).answer, answer)
  const shown = await dashboardChannel(merchant, channel.channelId)
  assert.equal(shown?.spent, String(2n * price))
  assert.equal(shown?.accepted, String(2n * price))
})

test('kill -9 between charging a request and delivering it loses nothing: the retry is served, not charged again', async () => {
  // An upstream that holds requests until told: the app is killed while it waits for the answer.
  let hold = false
  const held: ServerResponse[] = []
  let arrived: () => void = () => {}
  const upstream = createServer((request, response) => {
    if (hold) {
      held.push(response)
      arrived()
      return
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ slow: 'answered' }))
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  try {
    const created = await merchant.request(
      '/api/dashboard/links',
      jsonInit('POST', {
        title: 'A slow API, per request',
        price: '0.001',
        rails: [],
        session: { unitType: 'request' },
        recipient: stack.merchant,
        resource: { kind: 'proxy', url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/slow` },
      }),
    )
    assert.equal(created.status, 201, await created.clone().text())
    const slow = `${stack.url}/l/${((await created.json()) as { link: { slug: string } }).link.slug}`

    const payer = anvilAccount(5)
    const session = createSessionClient({ account: payer, rpcUrl: stack.chain.rpcUrl })
    assert.equal((await session.fetch(slow)).status, 200)
    const channel = session.channels()[0]!
    const offer = await sessionOffer(slow)
    const payload = await session.voucher(channel, 2n * price)

    hold = true
    const reached = new Promise<void>((resolve) => (arrived = resolve))
    const lost = sendCredential(slow, offer, payload, { idempotencyKey: 'the-request-that-died' }).catch((error: unknown) => error)
    await reached
    // The charge committed before the delivery began: the upstream is being asked for the answer now.
    const app = stack.apps[0]!
    await app.stop('SIGKILL')
    assert.ok((await lost) instanceof Error, 'the client lost its connection')

    stack.apps[0] = await startApp({ port: app.port, env: stack.env, quiet: true })
    merchant = await signIn(stack.url, anvilPrivateKey(0))
    const books = await dashboardChannel(merchant, channel.channelId)
    assert.equal(books?.spent, String(2n * price), 'the request that died is on the books')
    assert.equal(books?.accepted, String(2n * price))

    hold = false
    const retried = await sendCredential(slow, offer, payload, { idempotencyKey: 'the-request-that-died' })
    assert.equal(retried.status, 200)
    assert.deepEqual(await retried.json(), { slow: 'answered' })
    assert.equal(sessionReceipt(retried).spent, String(2n * price), 'the retry is answered from the first charge')
    assert.equal((await dashboardChannel(merchant, channel.channelId))?.spent, String(2n * price), 'and not charged again')

    // Closing pays the payee exactly what was spent, the killed request included.
    const payeeBefore = await chain.balanceOf(stack.merchant)
    const close = await signedVoucher(payer, { chainId: stack.chain.chainId, escrow: stack.chain.escrow }, channel.channelId, 2n * price)
    const closed = await sendCredential(slow, await sessionOffer(slow), { ...close, action: 'close' })
    assert.equal(closed.status, 200)
    assert.ok(sessionReceipt(closed).txHash)
    assert.equal(await chain.balanceOf(stack.merchant), payeeBefore + 2n * price)
  } finally {
    for (const response of held) response.destroy()
    await new Promise((resolve) => upstream.close(resolve))
  }
})

test('a person opening the session-only link learns what it is and the command that pays it', async () => {
  const page = await fetch(`${stack.url}/pay?u=${encodeURIComponent('/l/demo-session')}`)
  assert.equal(page.status, 200)
  const html = await page.text()
  assert.match(html, /Paid per request by an agent/)
  assert.match(html, /\$0\.001 per request/)
  assert.match(html, new RegExp(`npx tsx scripts/pay-with-session.ts ${link.replace(/[.]/g, '\\.')}`))
  assert.doesNotMatch(html, /<script type="module"/, 'no payment flow to load')
})

test('pricing a link as a session for another recipient is refused with the reason', async () => {
  const response = await merchant.request(
    '/api/dashboard/links',
    jsonInit('POST', {
      title: 'Elsewhere',
      price: '0.001',
      rails: [],
      session: { unitType: 'request' },
      recipient: anvilAccount(7).address,
      resource: { kind: 'inline', contentType: 'text/plain', body: 'x' },
    }),
  )
  assert.equal(response.status, 400)
  const { error } = (await response.json()) as { error: { issues: Array<{ path: string; message: string }> } }
  assert.deepEqual(error.issues, [
    {
      path: 'recipient',
      message: `sessions pay the server's settlement account ${stack.merchant}; set the recipient to it, or price per call`,
    },
  ])
})

test('the dashboard settles and closes its channels; another merchant cannot see or touch them', async () => {
  const payer = anvilAccount(7)
  const session = createSessionClient({ account: payer, rpcUrl: stack.chain.rpcUrl })
  const payerBefore = await chain.balanceOf(payer.address)
  for (let i = 0; i < 3; i++) assert.equal((await session.fetch(link)).status, 200)
  const { channelId } = session.channels()[0]!
  const payeeBefore = await chain.balanceOf(stack.merchant)

  const stranger = await signIn(stack.url, anvilPrivateKey(8))
  assert.equal(await dashboardChannel(stranger, channelId), null, 'another merchant does not list it')
  for (const action of ['settle', 'close']) {
    const response = await stranger.request(`/api/dashboard/channels/${channelId}/${action}`, { method: 'POST' })
    assert.equal(response.status, 404, `another merchant's ${action} is 404`)
  }
  assert.equal((await escrow.getChannel(channelId)).settled, 0n)

  const settled = await merchant.request(`/api/dashboard/channels/${channelId}/settle`, { method: 'POST' })
  assert.equal(settled.status, 200, await settled.clone().text())
  assert.deepEqual(((await settled.json()) as { settlement: { status: string; amount: string } }).settlement.status, 'settled')
  assert.equal((await escrow.getChannel(channelId)).settled, 3n * price)
  assert.equal(await chain.balanceOf(stack.merchant), payeeBefore + 3n * price)
  const again = await merchant.request(`/api/dashboard/channels/${channelId}/settle`, { method: 'POST' })
  assert.equal(((await again.json()) as { settlement: { status: string } }).settlement.status, 'nothing-to-settle')

  const closed = await merchant.request(`/api/dashboard/channels/${channelId}/close`, { method: 'POST' })
  assert.equal(closed.status, 200, await closed.clone().text())
  assert.equal((await escrow.getChannel(channelId)).finalized, true)
  assert.equal(await chain.balanceOf(payer.address), payerBefore - 3n * price, 'the payer got the rest of the deposit back')
  const shown = await dashboardChannel(merchant, channelId)
  assert.deepEqual([shown?.status, shown?.spent, shown?.settledOnChain], ['closed', String(3n * price), String(3n * price)])
  const twice = await merchant.request(`/api/dashboard/channels/${channelId}/close`, { method: 'POST' })
  assert.equal(twice.status, 409)
  // The payer's client learns it from its next voucher.
  await assert.rejects(session.fetch(link), (error: unknown) => error instanceof SessionPaymentError && error.status === 410)
})

test('the dashboard pages show the link’s channels, what they spent, and the editor’s session pricing', async () => {
  const linkPage = await merchant.request(`/dashboard/links/${linkId}`)
  assert.equal(linkPage.status, 200)
  const html = await linkPage.text()
  assert.match(html, /Session channels/)
  assert.match(html, /data-testid="channels-table"/)
  assert.match(html, /Settle now/, 'open channels can be settled')
  assert.match(html, /Session per request/)
  const { revenue } = (await (await merchant.request(`/api/dashboard/channels?link=${linkId}`)).json()) as { revenue: { spentUsd: string } }
  assert.match(html, new RegExp(`\\$${revenue.spentUsd.replace('.', '\\.')}[0-9]* spent in`), 'the revenue stat counts what channels spent')

  const overview = await (await merchant.request('/dashboard')).text()
  assert.match(overview, /data-testid="sessions-summary"/)
  const editor = await (await merchant.request(`/dashboard/links/${linkId}/edit`)).text()
  assert.match(editor, /data-testid="sell-session"[^>]*checked|checked[^>]*data-testid="sell-session"/)
})

// Last: it moves the chain's clock past the grace period.
test('a forced close through the running app’s jobs: the best voucher is settled before the grace period ends; withdraw returns only the unspent part', async () => {
  const payer = anvilAccount(6)
  const session = createSessionClient({ account: payer, rpcUrl: stack.chain.rpcUrl })
  const payerBefore = await chain.balanceOf(payer.address)
  for (let i = 0; i < 10; i++) assert.equal((await session.fetch(link)).status, 200)
  const channel = session.channels()[0]!
  const payeeBefore = await chain.balanceOf(stack.merchant)

  const requested = await escrow.publicClient.waitForTransactionReceipt({ hash: await session.requestClose(channel) })
  const requestedAt = (await escrow.getChannel(channel.channelId)).closeRequestedAt
  const graceEnd = requestedAt + (await escrow.closeGracePeriod())
  assert.equal(requested.status, 'success')

  await waitFor(async () => ((await escrow.getChannel(channel.channelId)).settled === 10n * price ? true : undefined), {
    timeoutMs: 60_000,
    intervalMs: 200,
    what: 'the app’s jobs to settle the best voucher',
  })
  const block = await escrow.publicClient.getBlock({ blockTag: 'latest' })
  assert.ok(block.timestamp < graceEnd, 'settled inside the grace period')
  assert.equal(await chain.balanceOf(stack.merchant), payeeBefore + 10n * price)
  assert.equal((await dashboardChannel(merchant, channel.channelId))?.status, 'close-requested')

  // A pending forced close takes no voucher.
  const refused = await sendCredential(link, await sessionOffer(link), await session.voucher(channel, 11n * price))
  await assertProblem(refused, { status: 410, code: 'session/channel-finalized', secret: stack.env.MPP_SECRET_KEY! })

  await escrow.travel(Number(graceEnd - block.timestamp) + 1)
  await escrow.publicClient.waitForTransactionReceipt({ hash: await session.withdraw(channel) })
  assert.equal(await chain.balanceOf(payer.address), payerBefore - 10n * price, 'withdraw returned deposit - spent')
  await waitFor(async () => ((await dashboardChannel(merchant, channel.channelId))?.status === 'closed' ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 200,
    what: 'the watcher to see the withdraw',
  })
})
