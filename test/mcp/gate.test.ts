// Issue 16 acceptance: paid MCP tools on a running Tollgate (`next start`) and a real chain (anvil). mppx 0.11's
// McpClient, wrapped around the official SDK Client over Streamable HTTP, lists the tools, calls a paid one and a
// link sold as a tool, pays with an EIP-3009 authorization and gets the result with a receipt naming the
// transaction; the merchant gets exactly the price, and the payment is recorded (dashboard, webhook) as MCP.
// Then the hostile cases over the real server: replays, one credential raced 20 times, malformed _meta,
// credentials for another call, notifications, closed links — never a second charge, never -32603.
import assert from 'node:assert/strict'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { eq } from 'drizzle-orm'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { Hex } from 'viem'
import * as Challenge from '@/lib/protocol/Challenge'
import * as Mcp from '@/lib/protocol/Mcp'
import { openDb } from '@/lib/store/db'
import { payments } from '@/lib/store/schema'
import { anvilAccount, anvilPrivateKey } from '@/scripts/chain/deploy'
import { jsonInit, signIn, until, webhookEndpoint, type Client as Merchant, type Hook } from '@/test/dashboard/support'
import { type Ledger, baseUnits, ledger } from '@/test/gate/internal/ledger'
import { type Stack, startStack } from '@/test/support/stack'
import { authorization, challengeFor, connect, errorOf, payingClient, resultOf, rpc, toolCall } from './internal/remote'

type PaidResult = CallToolResult & { receipt?: Mcp.ReceiptJson }

describe('paid MCP tools on a running Tollgate', () => {
  let stack: Stack
  let chain: Ledger
  let mcp = ''
  let merchant: Merchant
  let hook: Hook
  const signatures: string[] = []
  /** Every transaction an MCP call paid: each must be one payment row with protocol mcp (checked last). */
  const paidReferences: string[] = []

  before(async () => {
    stack = await startStack()
    chain = ledger(stack.chain)
    mcp = `${stack.url}/mcp`
    merchant = await signIn(stack.url, anvilPrivateKey(0))
    hook = await webhookEndpoint()
    assert.equal((await merchant.request('/api/dashboard/webhook', jsonInit('PUT', { url: hook.url }))).status, 200)
  })
  after(async () => {
    await hook?.close()
    await stack?.stop()
  })

  /** Runs `pay`, then checks the merchant got exactly `priceUsd` in the one transfer `reference` names. */
  async function assertPaidOnce<T extends { receipt?: Mcp.ReceiptJson }>(priceUsd: string, pay: () => Promise<T>): Promise<T> {
    const before = await chain.balanceOf(stack.merchant)
    const paid = await pay()
    assert.equal(await chain.balanceOf(stack.merchant), before + baseUnits(priceUsd), 'the merchant balance grows by exactly the price')
    const reference = paid.receipt?.reference as Hex | undefined
    assert.match(reference ?? '', /^0x[0-9a-f]{64}$/, 'the receipt names the transaction')
    const transfers = await chain.transfersIn(reference!)
    assert.equal(transfers.length, 1, 'the referenced transaction moves the token once')
    assert.equal(transfers[0]!.to, stack.merchant)
    assert.equal(transfers[0]!.value, baseUnits(priceUsd))
    return paid
  }

  async function paymentRows(protocol: string): Promise<Array<{ reference: string; protocol: string; linkId: string | null }>> {
    const response = await merchant.request(`/api/dashboard/payments?protocol=${protocol}`)
    assert.equal(response.status, 200)
    return ((await response.json()) as { payments: Array<{ reference: string; protocol: string; linkId: string | null }> }).payments
  }

  test('initialize advertises capabilities.experimental.payment; GET and DELETE are 405 (stateless)', async () => {
    const client = await connect(mcp)
    try {
      // Every method/intent the server's gate registers: charges, and sessions (the stack deploys the escrow).
      assert.deepEqual(client.getServerCapabilities()?.experimental?.payment, { methods: { evm: { intents: ['charge', 'session'] } } })
      assert.equal(client.getServerVersion()?.name, 'tollgate')
    } finally {
      await client.close()
    }
    for (const method of ['GET', 'DELETE']) assert.equal((await fetch(mcp, { method })).status, 405)
  })

  test('tools/list is free and shows each price: the own tools and the links sold as tools', async () => {
    const client = await connect(mcp)
    try {
      const { tools } = await client.listTools()
      const byName = new Map(tools.map((tool) => [tool.name, tool]))
      const amountOf = (name: string) => {
        const info = byName.get(name)?._meta?.['x-payment-info'] as { offers: Array<{ method: string; amount: string; currency: string }> }
        assert.equal(info.offers[0]!.method, 'evm')
        assert.equal(info.offers[0]!.currency.toLowerCase(), stack.chain.token.toLowerCase())
        return info.offers[0]!.amount
      }
      assert.equal(amountOf('fortune'), '10000')
      assert.equal(amountOf('summarize'), '20000')
      assert.equal(byName.get('word_count')?._meta, undefined, 'a free tool shows no price')
      assert.equal(amountOf('demo'), '10000')
      assert.equal(amountOf('field_guide'), '500000')
      assert.equal(amountOf('quote'), '20000')
      assert.match(byName.get('demo')!.description ?? '', /^Demo: a JSON fortune\. One cent buys/)
      assert.deepEqual(byName.get('demo')!.inputSchema, { type: 'object' })
      // A free tool answers at once, and ignores a credential sent with it.
      const free = await client.callTool({ name: 'word_count', arguments: { text: 'one two three' } })
      assert.deepEqual(free.content, [{ type: 'text', text: '3' }])
    } finally {
      await client.close()
    }
  })

  test('mppx McpClient pays the fortune tool: the result with a receipt naming the one transfer of exactly $0.01', async () => {
    const client = await payingClient(mcp, anvilAccount(1))
    try {
      const paid = await assertPaidOnce(
        '0.01',
        async () => (await client.callTool({ name: 'fortune', arguments: { topic: 'tolls' } })) as PaidResult,
      )
      assert.equal(paid.isError, undefined)
      assert.match(JSON.stringify(paid.content), /On tolls: /)
      assert.equal(paid.receipt?.status, 'success')
      assert.equal(paid.receipt?.method, 'evm')
      assert.equal(paid.receipt?.chainId, stack.chain.chainId)
      assert.deepEqual(Mcp.receiptFromResult(paid), paid.receipt)
      paidReferences.push(paid.receipt!.reference!)
    } finally {
      await client.close()
    }
  })

  test('a link sold as a tool is paid like the link: the same price, its payment row, its webhook, shown as MCP', async () => {
    const demo = stack.links.find((link) => link.slug === 'demo')!
    const client = await payingClient(mcp, anvilAccount(2))
    try {
      const paid = await assertPaidOnce('0.01', async () => (await client.callTool({ name: 'demo', arguments: {} })) as PaidResult)
      assert.deepEqual(JSON.parse((paid.content[0] as { text: string }).text), {
        fortune: 'A well-formed 402 is the beginning of a beautiful friendship.',
        paid: true,
      })
      paidReferences.push(paid.receipt!.reference!)
      const row = (await paymentRows('mcp')).find((r) => r.reference === paid.receipt!.reference)
      assert.equal(row?.protocol, 'mcp')
      assert.equal(row?.linkId, demo.id)
      const event = await until(
        async () =>
          hook.received
            .map((r) => JSON.parse(r.body) as { data: { payment: { reference: string; protocol: string; linkId: string } } })
            .find((e) => e.data.payment.reference === paid.receipt!.reference),
        'the payment.succeeded webhook',
      )
      assert.equal(event.data.payment.protocol, 'mcp')
      assert.equal(event.data.payment.linkId, demo.id)
      const page = await (await merchant.request('/dashboard/payments?protocol=mcp')).text()
      assert.match(page, />MCP</, 'the payments table and filter show MCP')

      const file = (await client.callTool({ name: 'field_guide', arguments: {} })) as PaidResult
      paidReferences.push(file.receipt!.reference!)
      const embedded = file.content.find((c) => c.type === 'resource') as { resource: { blob: string; mimeType: string; uri: string } }
      assert.equal(embedded.resource.mimeType, 'text/markdown')
      assert.equal(embedded.resource.uri, `${stack.url}/l/demo-file`)
      assert.match(Buffer.from(embedded.resource.blob, 'base64').toString('utf8'), /Tollgate/)
      assert.match((file.content[0] as { text: string }).text, /^tollgate-field-guide\.md \(text\/markdown, \d+ bytes\)$/)

      const quote = (await client.callTool({ name: 'quote', arguments: {} })) as PaidResult
      paidReferences.push(quote.receipt!.reference!)
      assert.equal(quote.content[0]!.type, 'text')
    } finally {
      await client.close()
    }
  })

  test('the merchant offers a link as a tool from the dashboard API; a taken or reserved name is a 409 on that field', async () => {
    const created = await merchant.request(
      '/api/dashboard/links',
      jsonInit('POST', {
        title: 'Secret door',
        price: '0.03',
        rails: ['evm'],
        resource: { kind: 'redirect', url: 'https://example.com/the-door' },
        mcpTool: { name: 'secret_door', inputSchema: { type: 'object', properties: { knock: { type: 'integer' } }, required: ['knock'] } },
      }),
    )
    assert.equal(created.status, 201, await created.clone().text())
    for (const name of ['secret_door', 'fortune']) {
      const taken = await merchant.request(
        '/api/dashboard/links',
        jsonInit('POST', {
          title: 't',
          price: '0.01',
          rails: ['evm'],
          resource: { kind: 'redirect', url: 'https://example.com/x' },
          mcpTool: { name },
        }),
      )
      assert.equal(taken.status, 409)
      assert.equal(((await taken.json()) as { error: { code: string } }).error.code, 'tool_name_taken')
    }
    const client = await payingClient(mcp, anvilAccount(3))
    try {
      const wrongArguments = await client.callTool({ name: 'secret_door', arguments: { knock: 'twice' } })
      assert.equal(wrongArguments.isError, true, 'arguments are checked before any payment')
      const paid = await assertPaidOnce(
        '0.03',
        async () => (await client.callTool({ name: 'secret_door', arguments: { knock: 3 } })) as PaidResult,
      )
      assert.deepEqual(paid.content, [{ type: 'text', text: 'https://example.com/the-door' }])
      paidReferences.push(paid.receipt!.reference!)
    } finally {
      await client.close()
    }
  })

  test('a replayed credential gets -32043 with fresh challenges and its data intact, never a result; nothing moves again', async () => {
    const payer = anvilAccount(4)
    const credential = await authorization(await challengeFor(mcp, 'fortune', {}), payer, stack.chain)
    signatures.push(String(credential.payload.signature))
    const first = await rpc(mcp, toolCall(1, 'fortune', {}, credential))
    paidReferences.push(Mcp.receiptFromResult(resultOf(first))!.reference!)
    const before = await chain.balanceOf(stack.merchant)
    const replay = await rpc(mcp, toolCall(2, 'fortune', {}, credential))
    assert.equal(replay.status, 200)
    const error = errorOf(replay)
    assert.equal(error.code, -32043)
    assert.equal(error.message, 'Payment Verification Failed')
    const data = error.data as unknown as Mcp.PaymentErrorData
    assert.equal(data.httpStatus, 402)
    assert.equal(data.failure?.reason, 'invalid-challenge')
    assert.equal(data.problem.type, 'https://paymentauth.org/problems/invalid-challenge')
    assert.equal(data.problem.challengeId, credential.challenge.id)
    const fresh = Mcp.challengeFromJson(data.challenges[0])
    assert.notEqual(fresh.id, credential.challenge.id)
    assert.equal(await chain.balanceOf(stack.merchant), before)
  })

  test('20 concurrent calls with one credential: one result, one transfer, the rest refused (never -32603)', async () => {
    const credential = await authorization(await challengeFor(mcp, 'summarize', { text: 'Race. Me.' }), anvilAccount(5), stack.chain)
    signatures.push(String(credential.payload.signature))
    const fromBlock = (await chain.blockNumber()) + 1n
    const before = await chain.balanceOf(stack.merchant)
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => rpc(mcp, toolCall(i, 'summarize', { text: 'Race. Me.' }, credential))),
    )
    const results = answers.filter((a) => (a.json as { result?: unknown }).result)
    assert.equal(results.length, 1, answers.map((a) => a.text.slice(0, 120)).join('\n'))
    paidReferences.push(Mcp.receiptFromResult(resultOf(results[0]!))!.reference!)
    for (const answer of answers.filter((a) => !(a.json as { result?: unknown }).result)) {
      assert.equal(answer.status, 200)
      assert.ok([-32042, -32043].includes(errorOf(answer).code), answer.text.slice(0, 300))
    }
    assert.equal(await chain.balanceOf(stack.merchant), before + baseUnits('0.02'))
    const transfers = (await chain.transfersTo(stack.merchant, fromBlock)).filter((t) => t.from === anvilAccount(5).address)
    assert.equal(transfers.length, 1)
  })

  test('malformed _meta credentials: -32602 with the detail, the problem and fresh challenges, through the real server', async () => {
    const valid = await authorization(await challengeFor(mcp, 'fortune', {}), anvilAccount(6), stack.chain)
    const withoutId = Object.fromEntries(Object.entries(valid.challenge).filter(([name]) => name !== 'id'))
    const cases: Array<[string, unknown, RegExp]> = [
      ['not an object', 'Payment abc', /credential must be a JSON object/],
      ['no challenge', { payload: {} }, /Missing required field: challenge/],
      ['challenge without id', { ...valid, challenge: withoutId }, /Missing required field: challenge\.id/],
      ['request as base64url', { ...valid, challenge: { ...valid.challenge, request: 'eyJhIjoxfQ' } }, /request/],
      ['payload the method cannot read', { ...valid, payload: { type: 'authorization' } }, /payload/],
    ]
    for (const [what, credential, detail] of cases) {
      const answer = await rpc(mcp, toolCall(what, 'fortune', {}, credential))
      assert.equal(answer.status, 200, what)
      const error = errorOf(answer)
      assert.equal(error.code, -32602, `${what}: ${answer.text.slice(0, 300)}`)
      const data = error.data as unknown as Mcp.MalformedCredentialData
      assert.match(data.detail, detail, what)
      assert.equal(data.problem.type, 'https://paymentauth.org/problems/malformed-credential', what)
      assert.equal(data.challenges?.length, 1, what)
    }
    // A _meta that is not an object is a -32602 of the envelope, answered before any payment is looked at.
    const metaString = await rpc(mcp, {
      jsonrpc: '2.0',
      id: 9,
      method: 'tools/call',
      params: { name: 'fortune', arguments: {}, _meta: 'x' },
    })
    assert.equal(errorOf(metaString).code, -32602)
  })

  test('a credential bound to another tool, other arguments or another price is refused (-32043), and pays nothing', async () => {
    const before = await chain.balanceOf(stack.merchant)
    const payer = anvilAccount(7)
    const forFortune = await authorization(await challengeFor(mcp, 'fortune', { topic: 'a' }), payer, stack.chain)
    const otherTool = errorOf(await rpc(mcp, toolCall(1, 'demo', {}, forFortune)))
    assert.equal(otherTool.code, -32043)
    assert.match(String((otherTool.data as unknown as Mcp.PaymentErrorData).failure?.detail), /different resource/)
    const otherArguments = errorOf(await rpc(mcp, toolCall(2, 'fortune', { topic: 'b' }, forFortune)))
    assert.equal(otherArguments.code, -32043)
    assert.match(String((otherArguments.data as unknown as Mcp.PaymentErrorData).failure?.detail), /digest/)

    // The merchant raises the price between the challenge and the payment.
    const quote = stack.links.find((link) => link.slug === 'demo-api')!
    const forOldPrice = await authorization(await challengeFor(mcp, 'quote', {}), payer, stack.chain)
    assert.equal((await merchant.request(`/api/dashboard/links/${quote.id}`, jsonInit('PATCH', { price: '0.03' }))).status, 200)
    const otherPrice = errorOf(await rpc(mcp, toolCall(3, 'quote', {}, forOldPrice)))
    assert.equal(otherPrice.code, -32043)
    assert.match(String((otherPrice.data as unknown as Mcp.PaymentErrorData).failure?.detail), /price or payment terms changed/)
    assert.equal(Mcp.challengeFromJson((otherPrice.data as unknown as Mcp.PaymentErrorData).challenges[0]).request.amount, '30000')
    assert.equal((await merchant.request(`/api/dashboard/links/${quote.id}`, jsonInit('PATCH', { price: '0.02' }))).status, 200)

    // A challenge from /l/demo over HTTP binds no operation: it cannot pay the demo tool.
    const http = await fetch(`${stack.url}/l/demo`)
    const fromHttp = Challenge.deserialize(http.headers.get('www-authenticate')!)
    await http.body?.cancel()
    const unbound = errorOf(await rpc(mcp, toolCall(4, 'demo', {}, await authorization(fromHttp, payer, stack.chain))))
    assert.equal(unbound.code, -32043)
    assert.equal(await chain.balanceOf(stack.merchant), before)
  })

  test('a notification carrying a credential is ignored (202, nothing charged); the credential still pays once called', async () => {
    const credential = await authorization(await challengeFor(mcp, 'fortune', {}), anvilAccount(8), stack.chain)
    const before = await chain.balanceOf(stack.merchant)
    const notification = Object.fromEntries(Object.entries(toolCall(0, 'fortune', {}, credential)).filter(([name]) => name !== 'id'))
    const ignored = await rpc(mcp, notification)
    assert.equal(ignored.status, 202)
    assert.equal(ignored.text, '')
    assert.equal(await chain.balanceOf(stack.merchant), before)
    paidReferences.push(Mcp.receiptFromResult(resultOf(await rpc(mcp, toolCall(1, 'fortune', {}, credential))))!.reference!)
    assert.equal(await chain.balanceOf(stack.merchant), before + baseUnits('0.01'))
  })

  test('a link that stops selling leaves tools/list and answers a call with why: -32000 with httpStatus 410', async () => {
    const created = await merchant.request(
      '/api/dashboard/links',
      jsonInit('POST', {
        title: 'Short-lived',
        price: '0.01',
        rails: ['evm'],
        resource: { kind: 'inline', contentType: 'text/plain', body: 'x' },
        mcpTool: { name: 'short_lived' },
      }),
    )
    const { link } = (await created.json()) as { link: { id: string } }
    const listed = async () => {
      const client = await connect(mcp)
      try {
        return (await client.listTools()).tools.map((t) => t.name)
      } finally {
        await client.close()
      }
    }
    assert.ok((await listed()).includes('short_lived'))
    assert.equal((await merchant.request(`/api/dashboard/links/${link.id}`, jsonInit('PATCH', { active: false }))).status, 200)
    assert.ok(!(await listed()).includes('short_lived'))
    const error = errorOf(await rpc(mcp, toolCall(1, 'short_lived', {})))
    assert.equal(error.code, -32000)
    assert.deepEqual(error.data, {
      httpStatus: 410,
      problem: {
        type: 'about:blank',
        title: 'Tool unavailable',
        status: 410,
        detail: "This tool's link has been deactivated by its merchant.",
      },
    })
  })

  test('a capped link sold as a tool: of 4 racing payers one pays, the others hear it sold out (410); one transfer', async () => {
    const created = await merchant.request(
      '/api/dashboard/links',
      jsonInit('POST', {
        title: 'Last seat',
        price: '0.04',
        rails: ['evm'],
        resource: { kind: 'inline', contentType: 'text/plain', body: 'seat 1A' },
        maxPayments: 1,
        mcpTool: { name: 'last_seat' },
      }),
    )
    assert.equal(created.status, 201)
    const payers = [1, 2, 3, 4].map((i) => anvilAccount(i))
    const credentials = []
    for (const payer of payers) credentials.push(await authorization(await challengeFor(mcp, 'last_seat', {}), payer, stack.chain))
    const fromBlock = (await chain.blockNumber()) + 1n
    const before = await chain.balanceOf(stack.merchant)
    const answers = await Promise.all(credentials.map((credential, i) => rpc(mcp, toolCall(i, 'last_seat', {}, credential))))
    const results = answers.filter((a) => (a.json as { result?: unknown }).result)
    assert.equal(results.length, 1, answers.map((a) => a.text.slice(0, 200)).join('\n'))
    assert.deepEqual((resultOf(results[0]!).content as unknown[])[0], { type: 'text', text: 'seat 1A' })
    paidReferences.push(Mcp.receiptFromResult(resultOf(results[0]!))!.reference!)
    for (const answer of answers.filter((a) => a !== results[0])) {
      const error = errorOf(answer)
      assert.equal(error.code, -32000, answer.text.slice(0, 300))
      assert.equal((error.data as { httpStatus: number }).httpStatus, 410)
      assert.match(JSON.stringify(error.data), /sold out/)
    }
    assert.equal(await chain.balanceOf(stack.merchant), before + baseUnits('0.04'))
    const payerAddresses = new Set(payers.map((p) => p.address))
    assert.equal((await chain.transfersTo(stack.merchant, fromBlock)).filter((t) => payerAddresses.has(t.from)).length, 1)
  })

  test("after the paid flows, the app's output holds no credential signature, binding secret or private key", async () => {
    const logs = stack.apps.map((app) => app.logs()).join('\n')
    assert.match(logs, /Ready in/, 'the app output is captured (this check is not vacuous)')
    assert.ok(signatures.length >= 2)
    for (const secret of [...signatures, stack.env.MPP_SECRET_KEY!, ...Array.from({ length: 9 }, (_, i) => anvilPrivateKey(i).slice(2))])
      assert.ok(!logs.includes(secret), 'a secret reached the logs')
  })

  test('every transaction an MCP call paid is one payment row, recorded with protocol mcp and delivered', async () => {
    // The embedded database is the app's while it runs: stop it, then read the rows.
    await Promise.all(stack.apps.map((app) => app.stop()))
    const store = await openDb({ dataDir: path.join(stack.dataDir, 'db') })
    try {
      assert.ok(paidReferences.length >= 8)
      for (const reference of paidReferences) {
        const rows = await store.db.select().from(payments).where(eq(payments.reference, reference))
        assert.equal(rows.length, 1, reference)
        assert.equal(rows[0]!.protocol, 'mcp')
        assert.equal(rows[0]!.delivery, 'delivered')
        assert.ok(rows[0]!.challengeId)
      }
    } finally {
      await store.close()
    }
  })
})
