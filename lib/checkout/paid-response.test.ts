import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as Receipt from '@/lib/protocol/Receipt'
import { fileNameFromDisposition, readPaidResponse, receiptPath } from './paid-response'

const receipt = Receipt.serialize(
  Receipt.from({
    method: 'evm',
    reference: `0x${'ab'.repeat(32)}`,
    timestamp: '2025-06-04T14:03:09.000Z',
    chainId: 31337,
    challengeId: 'abc',
  }),
)

describe('readPaidResponse', () => {
  test('JSON with a receipt and a receipt link', async () => {
    const result = await readPaidResponse(
      new Response('{"fortune":"yes","paid":true}', {
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'payment-receipt': receipt,
          link: '</receipts/pay_abc-_1>; rel="receipt"',
        },
      }),
    )
    assert.deepEqual(result.resource, { kind: 'json', text: '{\n  "fortune": "yes",\n  "paid": true\n}' })
    assert.deepEqual(result.receipt, {
      method: 'evm',
      reference: `0x${'ab'.repeat(32)}`,
      timestamp: '2025-06-04T14:03:09.000Z',
      chainId: 31337,
    })
    assert.equal(result.receiptPath, '/receipts/pay_abc-_1')
  })

  test('a file download keeps its real name and bytes', async () => {
    const bytes = new Uint8Array([35, 32, 71, 117, 105, 100, 101])
    const result = await readPaidResponse(
      new Response(bytes, {
        headers: {
          'content-type': 'text/markdown',
          'content-disposition': `attachment; filename="field guide.md"; filename*=UTF-8''f%C3%BCeld%20guide.md`,
        },
      }),
    )
    assert.equal(result.resource.kind, 'file')
    if (result.resource.kind !== 'file') return
    assert.equal(result.resource.name, 'füeld guide.md')
    assert.equal(result.resource.blob.type, 'text/markdown')
    assert.deepEqual(new Uint8Array(await result.resource.blob.arrayBuffer()), bytes)
    assert.equal(result.receipt, null)
  })

  test('redirect links, images, HTML and binaries', async () => {
    const redirect = await readPaidResponse(
      Response.json({ url: 'https://example.com/x' }, { headers: { 'content-location': 'https://example.com/x' } }),
    )
    assert.deepEqual(redirect.resource, { kind: 'redirect', url: 'https://example.com/x' })
    const notRedirect = await readPaidResponse(
      Response.json({ url: 'javascript:alert(1)' }, { headers: { 'content-location': 'javascript:alert(1)' } }),
    )
    assert.equal(notRedirect.resource.kind, 'json')
    assert.equal(
      (await readPaidResponse(new Response(new Uint8Array([1]), { headers: { 'content-type': 'image/png' } }))).resource.kind,
      'image',
    )
    // HTML from a proxied API is never rendered on our origin.
    const html = await readPaidResponse(new Response('<script>alert(1)</script>', { headers: { 'content-type': 'text/html' } }), 'quote')
    assert.equal(html.resource.kind, 'file')
    assert.equal(html.resource.kind === 'file' && html.resource.name, 'quote')
    // Its blob: URL is on our origin, so it is typed as bytes, never as HTML a new tab would render.
    assert.equal(html.resource.kind === 'file' && html.resource.blob.type, 'application/octet-stream')
    const attached = await readPaidResponse(
      new Response('<svg onload="alert(1)"/>', {
        headers: { 'content-type': 'image/svg+xml', 'content-disposition': 'attachment; filename="x.svg"' },
      }),
    )
    assert.equal(attached.resource.kind === 'file' && attached.resource.blob.type, 'application/octet-stream')
    assert.equal((await readPaidResponse(new Response('plain', { headers: { 'content-type': 'text/plain' } }))).resource.kind, 'text')
    // SVG can carry script: downloaded, not shown.
    assert.equal((await readPaidResponse(new Response('<svg/>', { headers: { 'content-type': 'image/svg+xml' } }))).resource.kind, 'file')
  })

  test('a malformed receipt is ignored, not fatal', async () => {
    const result = await readPaidResponse(
      new Response('x', { headers: { 'content-type': 'text/plain', 'payment-receipt': 'not base64!' } }),
    )
    assert.equal(result.receipt, null)
  })
})

describe('header helpers', () => {
  test('fileNameFromDisposition', () => {
    assert.equal(fileNameFromDisposition('attachment; filename="a.md"'), 'a.md')
    assert.equal(fileNameFromDisposition('attachment; filename=plain.txt'), 'plain.txt')
    assert.equal(fileNameFromDisposition('attachment; filename="../../etc/passwd"'), '.._.._etc_passwd')
    assert.equal(fileNameFromDisposition('attachment; filename*=UTF-8\'\'%E6%97%A5%E6%9C%AC.txt; filename="file.txt"'), '日本.txt')
    assert.equal(fileNameFromDisposition('attachment'), null)
  })

  test('receiptPath only accepts our receipt paths', () => {
    assert.equal(receiptPath('</receipts/pay_1>; rel="receipt"'), '/receipts/pay_1')
    assert.equal(receiptPath('<https://evil.example/receipts/x>; rel="receipt"'), null)
    assert.equal(receiptPath('</receipts/pay_1>; rel="next"'), null)
    assert.equal(receiptPath('</a>; rel="x", </receipts/pay_2>; rel=receipt'), '/receipts/pay_2')
    assert.equal(receiptPath(null), null)
  })
})
