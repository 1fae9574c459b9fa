import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as LinkSchema from './schema'

const recipient = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const valid = {
  title: 'Weather API',
  price: '0.01',
  rails: ['evm'],
  recipient: recipient.toLowerCase(),
  resource: { kind: 'inline', contentType: 'application/json', body: '{"ok":true}' },
}
const future = () => new Date(Date.now() + 3_600_000).toISOString()

function issuesOf(input: unknown): string[] {
  const result = LinkSchema.CreateLinkInputSchema.safeParse(input)
  assert.equal(result.success, false, 'expected the input to be refused')
  return result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

describe('CreateLinkInputSchema', () => {
  test('parses a minimal link with defaults, canonical price and checksummed recipient', () => {
    const link = LinkSchema.CreateLinkInputSchema.parse({ ...valid, price: '12.50', rails: ['stripe', 'evm', 'evm'] })
    assert.equal(link.price, '12.5')
    assert.deepEqual(link.rails, ['evm', 'stripe'])
    assert.equal(link.recipient, recipient)
    assert.equal(link.description, '')
    assert.deepEqual(link.accessPolicy, { kind: 'once' })
    assert.equal(link.active, true)
    assert.equal(link.slug, undefined)
  })

  test('accepts every resource kind and both access policies', () => {
    for (const resource of [
      { kind: 'inline', contentType: 'text/plain', body: 'secret' },
      { kind: 'file', fileId: 'fil_123' },
      { kind: 'redirect', url: 'https://example.com/after?x=1' },
      { kind: 'proxy', url: 'http://127.0.0.1:8080/api' },
    ])
      assert.deepEqual(LinkSchema.CreateLinkInputSchema.parse({ ...valid, resource }).resource, resource)
    assert.deepEqual(LinkSchema.CreateLinkInputSchema.parse({ ...valid, accessPolicy: { kind: 'window', minutes: 60 } }).accessPolicy, {
      kind: 'window',
      minutes: 60,
    })
  })

  test('title: trimmed, 1..120 characters, one line of plain text', () => {
    assert.equal(LinkSchema.CreateLinkInputSchema.parse({ ...valid, title: '  Hello <b>  ' }).title, 'Hello <b>')
    assert.match(issuesOf({ ...valid, title: '   ' })[0]!, /title: title is required/)
    assert.match(issuesOf({ ...valid, title: 'x'.repeat(121) })[0]!, /at most 120/)
    assert.match(issuesOf({ ...valid, title: 'two\nlines' })[0]!, /plain text/)
    assert.match(issuesOf({ ...valid, title: 'pay \u202eusd' })[0]!, /plain text/)
    assert.match(issuesOf({ ...valid, title: 'nul\u0000' })[0]!, /plain text/)
  })

  test('description: up to 2000 characters, newlines allowed, NUL refused', () => {
    assert.equal(LinkSchema.CreateLinkInputSchema.parse({ ...valid, description: 'a\nb' }).description, 'a\nb')
    assert.match(issuesOf({ ...valid, description: 'x'.repeat(2001) })[0]!, /at most 2000/)
    assert.match(issuesOf({ ...valid, description: 'a\u0000b' })[0]!, /plain text/)
    assert.match(issuesOf({ ...valid, description: '\ud800' })[0]!, /plain text/)
  })

  test('price: a decimal USD string, with the money module’s messages', () => {
    assert.match(issuesOf({ ...valid, price: '1e3' })[0]!, /^price: .*plain decimal/)
    assert.match(issuesOf({ ...valid, price: '0' })[0]!, /greater than zero/)
    assert.match(issuesOf({ ...valid, price: 0.01 })[0]!, /^price: /)
    assert.match(issuesOf({ ...valid, price: '0.0000001' })[0]!, /at most 6 decimal/)
  })

  test('rails: a non-empty subset of evm and stripe; stripe needs whole cents', () => {
    assert.match(issuesOf({ ...valid, rails: [] })[0]!, /at least one/)
    assert.match(issuesOf({ ...valid, rails: ['btc'] })[0]!, /^rails\.0/)
    assert.match(issuesOf({ ...valid, rails: ['stripe'], price: '0.001' })[0]!, /^price: .*whole cents/)
    assert.deepEqual(LinkSchema.CreateLinkInputSchema.parse({ ...valid, rails: ['evm'], price: '0.001' }).rails, ['evm'])
  })

  test('recipient: an EVM address, checksum enforced when mixed case, never the zero address', () => {
    assert.equal(
      LinkSchema.CreateLinkInputSchema.parse({ ...valid, recipient: recipient.toUpperCase().replace('0X', '0x') }).recipient,
      recipient,
    )
    assert.equal(LinkSchema.CreateLinkInputSchema.parse({ ...valid, recipient: undefined }).recipient, undefined)
    assert.match(issuesOf({ ...valid, recipient: '0x1234' })[0]!, /EVM address/)
    assert.match(issuesOf({ ...valid, recipient: recipient.replace('C51812dc', 'c51812dc') })[0]!, /checksum/)
    assert.match(issuesOf({ ...valid, recipient: '0x0000000000000000000000000000000000000000' })[0]!, /zero address/)
  })

  test('resource: JSON must parse, bodies are capped, URLs are http(s) without credentials', () => {
    assert.match(
      issuesOf({ ...valid, resource: { kind: 'inline', contentType: 'application/json', body: '{oops' } })[0]!,
      /resource\.body: .*not valid JSON/,
    )
    assert.match(issuesOf({ ...valid, resource: { kind: 'inline', contentType: 'text/html', body: '<p>' } })[0]!, /resource\.contentType/)
    assert.match(issuesOf({ ...valid, resource: { kind: 'inline', contentType: 'text/plain', body: '' } })[0]!, /empty/)
    const big = 'é'.repeat(LinkSchema.maxInlineBytes / 2 + 1)
    assert.match(issuesOf({ ...valid, resource: { kind: 'inline', contentType: 'text/plain', body: big } })[0]!, /at most 256 KB/)
    assert.ok(
      LinkSchema.CreateLinkInputSchema.safeParse({
        ...valid,
        resource: { kind: 'inline', contentType: 'text/plain', body: 'x'.repeat(LinkSchema.maxInlineBytes) },
      }).success,
    )
    for (const url of ['javascript:alert(1)', 'ftp://example.com/x', 'file:///etc/passwd', '/relative', 'data:text/plain,hi'])
      assert.match(issuesOf({ ...valid, resource: { kind: 'redirect', url } })[0]!, /resource\.url: .*http/, url)
    assert.match(issuesOf({ ...valid, resource: { kind: 'proxy', url: 'https://user:pw@example.com/' } })[0]!, /user name or password/)
    assert.match(issuesOf({ ...valid, resource: { kind: 'proxy', url: `https://example.com/${'a'.repeat(2048)}` } })[0]!, /2048/)
    assert.match(issuesOf({ ...valid, resource: { kind: 'video', url: 'https://example.com' } })[0]!, /resource/)
    assert.match(issuesOf({ ...valid, resource: { kind: 'file', fileId: 'f', extra: 1 } })[0]!, /extra|Unrecognized/)
  })

  test('accessPolicy: once, or a window of 1..525600 whole minutes', () => {
    for (const minutes of [0, -5, 1.5, 525_601, '60'])
      assert.ok(issuesOf({ ...valid, accessPolicy: { kind: 'window', minutes } })[0]!.startsWith('accessPolicy'), String(minutes))
  })

  test('maxPayments: optional positive integer; expiresAt: optional future date-time with a zone', () => {
    const at = future()
    const parsed = LinkSchema.CreateLinkInputSchema.parse({ ...valid, maxPayments: 3, expiresAt: at })
    assert.equal(parsed.maxPayments, 3)
    assert.equal(parsed.expiresAt?.toISOString(), new Date(at).toISOString())
    assert.ok(LinkSchema.CreateLinkInputSchema.parse({ ...valid, expiresAt: new Date(Date.now() + 1000) }).expiresAt instanceof Date)
    for (const maxPayments of [0, -1, 1.5, 2 ** 31]) assert.match(issuesOf({ ...valid, maxPayments })[0]!, /^maxPayments/)
    assert.match(issuesOf({ ...valid, expiresAt: '2001-01-01T00:00:00Z' })[0]!, /in the future/)
    assert.match(issuesOf({ ...valid, expiresAt: '2999-01-01' })[0]!, /^expiresAt/)
    assert.match(issuesOf({ ...valid, expiresAt: 'tomorrow' })[0]!, /^expiresAt/)
    assert.match(issuesOf({ ...valid, expiresAt: new Date('+010000-01-01T00:00:00Z') })[0]!, /before the year 10000/)
    assert.equal(LinkSchema.CreateLinkInputSchema.parse({ ...valid, expiresAt: '9999-12-31T23:59:59Z' }).expiresAt?.getUTCFullYear(), 9999)
  })

  test('slug: 3..64 of [a-z0-9-], folded to lower case, reserved words refused', () => {
    assert.equal(LinkSchema.CreateLinkInputSchema.parse({ ...valid, slug: 'My-Link-1' }).slug, 'my-link-1')
    assert.equal(LinkSchema.CreateLinkInputSchema.parse({ ...valid, slug: 'demo' }).slug, 'demo')
    assert.equal(LinkSchema.CreateLinkInputSchema.parse({ ...valid, slug: 'a'.repeat(64) }).slug, 'a'.repeat(64))
    for (const slug of ['ab', 'a'.repeat(65), '-abc', 'abc-', 'a_b_c', 'ab c', 'ünï', 'a/b/c'])
      assert.match(issuesOf({ ...valid, slug })[0]!, /^slug: slug/, slug)
    for (const slug of ['api', 'Admin', 'dashboard', 'checkout']) assert.match(issuesOf({ ...valid, slug })[0]!, /reserved/, slug)
  })

  test('unknown fields are refused rather than silently dropped', () => {
    assert.ok(issuesOf({ ...valid, prise: '1' }).length > 0)
  })
})

describe('UpdateLinkInputSchema', () => {
  test('every field is optional; null clears maxPayments and expiresAt', () => {
    assert.deepEqual(LinkSchema.UpdateLinkInputSchema.parse({}), {})
    assert.deepEqual(LinkSchema.UpdateLinkInputSchema.parse({ maxPayments: null, expiresAt: null }), { maxPayments: null, expiresAt: null })
    assert.equal(LinkSchema.UpdateLinkInputSchema.parse({ price: '5.00' }).price, '5')
  })

  test('fields present are validated like on create', () => {
    assert.equal(LinkSchema.UpdateLinkInputSchema.safeParse({ rails: [] }).success, false)
    assert.equal(LinkSchema.UpdateLinkInputSchema.safeParse({ title: '' }).success, false)
    assert.equal(LinkSchema.UpdateLinkInputSchema.safeParse({ slug: 'api' }).success, false)
    assert.equal(LinkSchema.UpdateLinkInputSchema.safeParse({ id: 'lnk_x' }).success, false)
    assert.equal(LinkSchema.UpdateLinkInputSchema.safeParse({ merchantId: 'mer_x' }).success, false)
  })
})
