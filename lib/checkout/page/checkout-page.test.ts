import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { OpenCheckout } from '@/lib/checkout/load-checkout'
import type { AssetsManifest } from './assets'
import { checkoutStatus, renderCheckoutPage } from './checkout-page'
import { escape, html, jsonScriptContent } from './html'

const scriptTag = '</script><script>alert(1)</script>'
const imgTag = '"><img src=x onerror=alert(1)>'
const nonce = 'bm9uY2Vub25jZW5vbmNlMTIz'
const assets: AssetsManifest = {
  script: 'checkout-AAAA.js',
  preload: ['chunk-BBBB.js'],
  stylesheets: ['checkout-style-CCCC.css'],
  files: { 'checkout-AAAA.js': 'text/javascript', 'chunk-BBBB.js': 'text/javascript', 'checkout-style-CCCC.css': 'text/css' },
}

function openCheckout(title: string, description: string, merchantName: string | null = imgTag): OpenCheckout {
  return {
    status: 'open',
    target: '/l/xss',
    origin: 'https://shop.example',
    link: {
      slug: 'xss',
      title,
      description,
      priceUsd: '0.05',
      recipient: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      merchantName,
      expiresAt: null,
      access: { kind: 'window', minutes: 60 },
      resource: { kind: 'file', name: scriptTag, contentType: 'text/plain', size: 12 },
      acceptsCard: false,
    },
    evm: null,
    card: { stripeConfigured: false, minimumUsd: '0.50', status: 'not-configured' },
    testWallet: false,
  }
}

/** Every `<script …>` start tag in the document, and the text of the one with `id`. */
function scripts(document: string) {
  const tags = [...document.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0])
  const data = /<script type="application\/json" id="checkout-data" nonce="[^"]+">([\s\S]*?)<\/script>/.exec(document)?.[1]
  return { tags, data }
}

describe('the server-written checkout page', () => {
  for (const [title, description] of [
    [scriptTag, imgTag],
    [imgTag, scriptTag],
  ] as const) {
    test(`merchant text ${JSON.stringify(title.slice(0, 12))}… is text in the markup and inert data in the JSON`, () => {
      const checkout = openCheckout(title, description)
      const document = renderCheckoutPage({ checkout, nonce, assets })
      const { tags, data } = scripts(document)
      // Only our two scripts exist, each with the nonce: the JSON data and the module entry.
      assert.deepEqual(tags, [
        `<script type="application/json" id="checkout-data" nonce="${nonce}">`,
        `<script type="module" src="/checkout-assets/checkout-AAAA.js" nonce="${nonce}">`,
      ])
      assert.ok(!document.includes('<img'), 'no img element can be injected')
      assert.ok(document.includes(`data-testid="checkout-title">${escape(title)}</h1>`))
      assert.ok(document.includes(`data-testid="checkout-description">${escape(description)}</p>`))
      assert.ok(document.includes(`File: ${escape(scriptTag)}`))
      // The JSON survives the trip byte for byte, and no `<` inside it can end the element.
      assert.ok(data && !data.includes('<'))
      assert.deepEqual(JSON.parse(data), checkout)
    })
  }

  test('links the stylesheet, preloads the entry’s static chunks with the nonce, and mounts the flow over a placeholder', () => {
    const document = renderCheckoutPage({ checkout: openCheckout('Field notes', ''), nonce, assets })
    assert.ok(document.startsWith('<!DOCTYPE html>\n<html lang="en">'))
    assert.ok(document.includes('<link rel="stylesheet" href="/checkout-assets/checkout-style-CCCC.css">'))
    assert.ok(document.includes(`<link rel="modulepreload" href="/checkout-assets/chunk-BBBB.js" nonce="${nonce}">`))
    assert.match(
      document,
      /<div class="checkout-flow" id="checkout-flow"><section class="checkout-panel" aria-labelledby="terms-title" aria-busy="true">/,
    )
    assert.ok(document.includes('<noscript>'))
    assert.ok(!document.includes('checkout-description'), 'an empty description renders nothing')
  })

  test('closed checkouts say why, with a matching status, and load no script', () => {
    const cases = [
      [{ status: 'invalid' }, 400, 'Nothing to pay here'],
      [{ status: 'not-found' }, 404, 'Link not found'],
      [{ status: 'unavailable', reason: 'sold-out', title: scriptTag }, 410, 'No longer available'],
    ] as const
    for (const [checkout, status, heading] of cases) {
      const document = renderCheckoutPage({ checkout, nonce, assets })
      assert.equal(checkoutStatus(checkout), status)
      assert.ok(document.includes(`<h1 id="checkout-title" class="checkout-title">${heading}</h1>`))
      assert.deepEqual(scripts(document).tags, [])
      assert.ok(!document.includes('modulepreload'))
    }
    const soldOut = renderCheckoutPage({ checkout: { status: 'unavailable', reason: 'sold-out', title: scriptTag }, nonce, assets })
    assert.ok(soldOut.includes(`<p class="muted" data-testid="checkout-title">${escape(scriptTag)}</p>`))
    assert.ok(soldOut.includes('This link has sold out.'))
  })
})

describe('html', () => {
  test('escapes text in content and attributes, keeps nested html, drops empty values', () => {
    const value = `"'<&>`
    const inner = html`<b>${value}</b>`
    assert.equal(
      html`<a title="${value}">${inner}${null}${false}${undefined}${[value, inner]}</a>`.value,
      '<a title="&quot;&#39;&lt;&amp;&gt;"><b>&quot;&#39;&lt;&amp;&gt;</b>&quot;&#39;&lt;&amp;&gt;<b>&quot;&#39;&lt;&amp;&gt;</b></a>',
    )
  })

  test('a plain object shaped like html is still escaped', () => {
    const forged = { value: '<script>alert(1)</script>' } as unknown as string
    assert.equal(html`${forged}`.value, '[object Object]')
  })

  test('JSON for a script element cannot close it and parses back to the same value', () => {
    const value = { a: '</script><script>x</script>', b: '\u2028\u2029', c: '<!--' }
    const content = jsonScriptContent(value).value
    assert.ok(!content.includes('<') && !content.includes('\u2028') && !content.includes('\u2029'))
    assert.deepEqual(JSON.parse(content), value)
  })
})
