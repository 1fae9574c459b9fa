import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createCatalog, InvalidCatalogError, paymentInfoMetaKey, type PaidTool, type PaymentInfo } from './registry'

const price: PaymentInfo = {
  offers: [{ method: 'evm', intent: 'charge', amount: '10000', currency: '0x5FbDB2315678afecb367f032d93F642f64180aa3' }],
}
const tool = (name: string, extra: Partial<PaidTool> = {}): PaidTool => ({
  name,
  description: `${name} tool`,
  inputSchema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
  price,
  call: async () => ({ content: [] }),
  ...extra,
})

describe('createCatalog', () => {
  test('listings carry the MCP fields and the price under _meta["x-payment-info"]; free entries have no _meta', () => {
    const catalog = createCatalog({
      tools: [tool('search', { title: 'Search', annotations: { readOnlyHint: true } }), tool('free', { price: null })],
      resources: [{ uri: 'data://a', name: 'a', mimeType: 'text/plain', price, read: async () => ({ contents: [] }) }],
      prompts: [{ name: 'p', arguments: [{ name: 'x', required: true }], price: null, get: async () => ({ messages: [] }) }],
    })
    assert.deepEqual(catalog.tools.get('search')!.listing, {
      name: 'search',
      title: 'Search',
      description: 'search tool',
      inputSchema: tool('x').inputSchema,
      annotations: { readOnlyHint: true },
      _meta: { [paymentInfoMetaKey]: price },
    })
    assert.equal(catalog.tools.get('free')!.listing!._meta, undefined)
    assert.deepEqual(catalog.resources.get('data://a')!.listing, {
      uri: 'data://a',
      name: 'a',
      mimeType: 'text/plain',
      _meta: { [paymentInfoMetaKey]: price },
    })
    assert.deepEqual(catalog.prompts.get('p')!.listing, { name: 'p', arguments: [{ name: 'x', required: true }] })
  })

  test('an unlisted tool is in the catalog (callable) but has no listing', () => {
    const catalog = createCatalog({ tools: [tool('closed', { listed: false }), tool('open')] })
    assert.equal(catalog.tools.get('closed')!.listing, null)
    assert.equal(catalog.tools.get('closed')!.tool.name, 'closed')
    assert.equal(catalog.tools.get('open')!.listing!.name, 'open')
  })

  test('arguments are checked against the input schema', () => {
    const { validate } = createCatalog({ tools: [tool('search')] }).tools.get('search')!
    assert.equal(validate({ q: 'x' }), undefined)
    assert.match(validate({}) ?? '', /must have required property 'q'/)
    assert.match(validate({ q: 1 }) ?? '', /must be string/)
  })

  test('configuration mistakes throw InvalidCatalogError', () => {
    assert.throws(() => createCatalog({ tools: [tool('a'), tool('a')] }), InvalidCatalogError)
    assert.throws(() => createCatalog({ tools: [tool('')] }), InvalidCatalogError)
    assert.throws(() => createCatalog({ tools: [tool('a', { inputSchema: { type: 'string' } as never })] }), InvalidCatalogError)
    assert.throws(
      () => createCatalog({ tools: [tool('a', { inputSchema: { type: 'object', properties: { q: { type: 'no-such-type' } } } })] }),
      InvalidCatalogError,
    )
    const resource = { uri: 'data://a', name: 'a', price: null, read: async () => ({ contents: [] }) }
    assert.throws(() => createCatalog({ resources: [resource, resource] }), InvalidCatalogError)
  })

  test('a schema object is compiled once, however often a catalog is rebuilt from it', () => {
    const search = tool('search')
    const first = createCatalog({ tools: [search] }).tools.get('search')!.validate
    assert.equal(createCatalog({ tools: [{ ...search }] }).tools.get('search')!.validate, first)
  })
})
