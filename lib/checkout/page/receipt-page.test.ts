import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { ReceiptView } from '@/lib/checkout/load-receipt'
import type { AssetsManifest } from './assets'
import { escape } from './html'
import { renderReceiptPage } from './receipt-page'

const assets: AssetsManifest = {
  script: 'checkout-AAAA.js',
  preload: ['chunk-BBBB.js'],
  stylesheets: ['checkout-style-CCCC.css'],
  files: {},
}
const hostile = '</title><script>alert(1)</script>"><img src=x onerror=alert(1)>'

const receipt: ReceiptView = {
  id: 'pay_GZurI8fdmGmtSMWQ5SbDjA',
  status: 'succeeded',
  title: hostile,
  amountUsd: '0.05',
  amount: '50000',
  token: { symbol: 'USDC', decimals: 6 },
  method: 'evm',
  methodLabel: 'USDC on Base',
  reference: '0x639fae41aa0000000000000000000000000000000000000000000000009f738a',
  explorerUrl: 'https://basescan.org/tx/0x639fae41aa0000000000000000000000000000000000000000000000009f738a',
  payer: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  paidAt: '2026-11-21T08:59:00.000Z',
  linkPath: '/l/field-notes',
}

describe('the receipt page', () => {
  test('shows the payment with merchant text escaped, and runs no script', () => {
    const page = renderReceiptPage(receipt, assets)
    assert.ok(!/<script/i.test(page) && !page.includes('<img') && !page.includes('modulepreload'))
    assert.ok(page.includes(`<h1 id="receipt-title" class="checkout-title">${escape(hostile)}</h1>`))
    assert.ok(page.includes('<p class="pill pill-ok">Paid</p>'))
    assert.ok(page.includes('<p class="price" data-testid="receipt-price">$0.05</p>'))
    assert.ok(page.includes('<dd data-testid="receipt-amount">0.05 USDC</dd>'))
    assert.ok(
      page.includes(
        `<dt>Transaction</dt><dd><code class="mono-wrap" data-testid="receipt-reference">${receipt.reference}</code> <a href="${receipt.explorerUrl}" target="_blank" rel="noopener noreferrer">View on explorer</a></dd>`,
      ),
    )
    assert.ok(page.includes('<meta name="referrer" content="no-referrer">'))
    assert.ok(page.includes('href="/l/field-notes" data-testid="receipt-resource-link"'))
  })

  test('a refunded card payment says so and names its reference', () => {
    const page = renderReceiptPage(
      {
        ...receipt,
        status: 'refunded',
        method: 'stripe',
        methodLabel: 'Card',
        token: null,
        reference: 'pi_123',
        explorerUrl: null,
        payer: null,
        title: null,
      },
      assets,
    )
    assert.ok(page.includes('<p class="pill">Refunded</p>'))
    assert.ok(page.includes('<h1 id="receipt-title" class="checkout-title">Payment receipt</h1>'))
    assert.ok(page.includes('<dt>Reference</dt>'))
    assert.ok(!page.includes('receipt-amount') && !page.includes('Paid from') && !page.includes('View on explorer'))
  })

  test('an unknown receipt is a readable not-found page', () => {
    const page = renderReceiptPage(null, assets)
    assert.ok(page.includes('<h1 id="receipt-missing" class="checkout-title">Receipt not found</h1>'))
    assert.ok(!/<script/i.test(page))
  })
})
