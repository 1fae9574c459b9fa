// "Available as an MCP tool": the settings a link keeps, their defaults, what is refused (with the field it is
// about) and the one tool name per server — on PGlite and PostgreSQL.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { sql } from 'drizzle-orm'
import { describeEachDatabase } from '@/test/support/databases'
import { ensureMerchant } from '@/lib/merchants/ensure-merchant'
import type { DbHandle } from '@/lib/store/db'
import { payments } from '@/lib/store/schema'
import { createLink } from './create-link'
import { InvalidInputError, ToolNameTakenError } from './errors'
import { updateLink } from './update-link'

const input = (extra: Record<string, unknown> = {}) => ({
  title: 'Market report',
  description: 'Daily numbers.',
  price: '0.05',
  rails: ['evm'],
  resource: { kind: 'inline', contentType: 'text/plain', body: 'up' },
  ...extra,
})

function invalid(path: string, message: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof InvalidInputError, String(error))
    const issue = error.issues.find((i) => i.path === path)
    assert.ok(issue, `no issue on ${path}: ${JSON.stringify(error.issues)}`)
    assert.match(issue.message, message)
    return true
  }
}

describeEachDatabase('links as MCP tools', (factory) => {
  let handle: DbHandle
  let alice: string
  let bob: string
  let n = 0
  const unique = (prefix: string) => `${prefix}-${process.pid}-${n++}`
  before(async () => {
    handle = await factory.open()
    alice = (await ensureMerchant(handle.db, '0x70997970c51812dc3a010c7d01b50e0d17dc79c8')).id
    bob = (await ensureMerchant(handle.db, '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC')).id
  })
  after(async () => {
    await handle?.close()
  })

  test('a link is no tool unless asked; asked with nothing, its tool is named after its slug with the derived description', async () => {
    assert.equal((await createLink(handle.db, alice, input())).mcpTool, null)
    const slug = unique('report')
    const link = await createLink(handle.db, alice, input({ slug, mcpTool: {} }))
    assert.deepEqual(link.mcpTool, { name: slug, description: '', inputSchema: null })
    const generated = await createLink(handle.db, alice, input({ mcpTool: {} }))
    assert.equal(generated.mcpTool?.name, generated.slug)
  })

  test('the merchant names it, describes it and gives the arguments schema', async () => {
    const name = unique('market_report').replace(/-/g, '_')
    const inputSchema = { type: 'object', properties: { day: { type: 'string', format: 'date' } }, required: ['day'] }
    const link = await createLink(handle.db, alice, input({ mcpTool: { name, description: 'Numbers for one day', inputSchema } }))
    assert.deepEqual(link.mcpTool, { name, description: 'Numbers for one day', inputSchema })
  })

  test('an invalid name or schema is a 400 on its field, with a message saying what to do', async () => {
    await assert.rejects(
      createLink(handle.db, alice, input({ mcpTool: { name: 'has space' } })),
      invalid('mcpTool.name', /letters, digits/),
    )
    await assert.rejects(createLink(handle.db, alice, input({ mcpTool: { name: 'x'.repeat(65) } })), invalid('mcpTool.name', /1 to 64/))
    await assert.rejects(
      createLink(handle.db, alice, input({ mcpTool: { inputSchema: { type: 'string' } } })),
      invalid('mcpTool.inputSchema', /must describe an object/),
    )
    await assert.rejects(
      createLink(handle.db, alice, input({ mcpTool: { inputSchema: [] } })),
      invalid('mcpTool.inputSchema', /JSON object/),
    )
    await assert.rejects(
      createLink(
        handle.db,
        alice,
        input({ mcpTool: { inputSchema: { type: 'object', properties: { q: { type: 'string', pattern: '^(a+)+$' } } } } }),
      ),
      invalid('mcpTool.inputSchema', /may not use "pattern"/),
    )
    await assert.rejects(
      createLink(handle.db, alice, input({ mcpTool: { inputSchema: { type: 'object', $id: 'https://example.com/s' } } })),
      invalid('mcpTool.inputSchema', /\$id/),
    )
    await assert.rejects(
      createLink(
        handle.db,
        alice,
        input({ mcpTool: { inputSchema: { type: 'object', properties: { a: { $ref: 'https://example.com/x' } } } } }),
      ),
      invalid('mcpTool.inputSchema', /its own parts/),
    )
    await assert.rejects(
      createLink(handle.db, alice, input({ mcpTool: { inputSchema: { type: 'object', required: 'a' } } })),
      invalid('mcpTool.inputSchema', /not a valid JSON Schema: required value must be/),
    )
    await assert.rejects(
      createLink(handle.db, alice, input({ mcpTool: { inputSchema: { type: 'object', description: 'x'.repeat(17_000) } } })),
      invalid('mcpTool.inputSchema', /at most 16 KB/),
    )
    await assert.rejects(createLink(handle.db, alice, input({ mcpTool: { other: 1 } })), invalid('mcpTool', /Unrecognized key/))
    // A property may be named like a keyword; enum and default hold data, not schemas.
    const fine = { type: 'object', properties: { pattern: { type: 'string', enum: ['a'], default: 'a' }, $id: { type: 'integer' } } }
    assert.deepEqual((await createLink(handle.db, alice, input({ mcpTool: { inputSchema: fine } }))).mcpTool?.inputSchema, fine)
  })

  test('one tool name per server: another merchant, the server’s own tools and racing creates all get a typed 409', async () => {
    const name = unique('taken')
    await createLink(handle.db, alice, input({ mcpTool: { name } }))
    await assert.rejects(createLink(handle.db, bob, input({ mcpTool: { name } })), ToolNameTakenError)
    await assert.rejects(
      createLink(handle.db, bob, input({ mcpTool: { name: 'fortune' } }), { reservedToolNames: new Set(['fortune']) }),
      ToolNameTakenError,
    )

    const raced = unique('raced')
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => createLink(handle.db, bob, input({ mcpTool: { name: raced } }))),
    )
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1)
    for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof ToolNameTakenError, String(r.reason))
  })

  test('updates: enabling names it after the slug, a new description keeps the name, a new slug too; null turns it off', async () => {
    const slug = unique('edit')
    const link = await createLink(handle.db, alice, input({ slug }))
    const enabled = await updateLink(handle.db, alice, link.id, { mcpTool: {} })
    assert.equal(enabled.mcpTool?.name, slug)
    const described = await updateLink(handle.db, alice, link.id, { mcpTool: { description: 'Now described' } })
    assert.deepEqual(described.mcpTool, { name: slug, description: 'Now described', inputSchema: null })
    const renamed = await updateLink(handle.db, alice, link.id, { slug: unique('renamed'), mcpTool: { description: 'Now described' } })
    assert.equal(renamed.mcpTool?.name, slug, 'a tool name is stable: agents call it by name')
    const untouched = await updateLink(handle.db, alice, link.id, { title: 'Retitled' })
    assert.deepEqual(untouched.mcpTool, described.mcpTool)
    assert.equal((await updateLink(handle.db, alice, link.id, { mcpTool: null })).mcpTool, null)

    const other = await createLink(handle.db, bob, input({ mcpTool: { name: unique('other') } }))
    await assert.rejects(updateLink(handle.db, alice, link.id, { mcpTool: { name: other.mcpTool!.name } }), ToolNameTakenError)
    await assert.rejects(
      updateLink(handle.db, alice, link.id, { mcpTool: { inputSchema: { type: 'object', required: 1 } } }),
      invalid('mcpTool.inputSchema', /valid JSON Schema/),
    )
  })

  test('payments may be recorded with protocol mcp, and only with the known protocols', async () => {
    const link = await createLink(handle.db, alice, input())
    const row = (id: string, protocol: string) => ({
      id,
      settlementKey: id,
      linkId: link.id,
      merchantId: alice,
      resourceKey: `link:${link.id}`,
      protocol: protocol as 'mcp',
      method: 'evm' as const,
      amount: '50000',
      currency: '0x0000000000000000000000000000000000000001',
      amountUsd: '0.05',
      reference: `0x${id}`,
      status: 'succeeded' as const,
      receipt: {},
    })
    await handle.db.insert(payments).values(row(unique('pay_mcp'), 'mcp'))
    await assert.rejects(handle.db.insert(payments).values(row(unique('pay_bad'), 'carrier-pigeon')), (error: unknown) => {
      const cause = (error as { cause?: { code?: string; constraint?: string } }).cause
      assert.equal(cause?.code, '23514', String(error))
      assert.equal(cause?.constraint, 'payments_protocol_check')
      return true
    })
    const counted = (await handle.db.execute(sql`SELECT count(*)::int AS n FROM payments WHERE protocol = 'mcp'`)) as unknown as {
      rows: Array<{ n: number }>
    }
    assert.ok(counted.rows[0]!.n >= 1)
  })
})
