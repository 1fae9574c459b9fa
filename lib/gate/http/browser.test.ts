import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as Browser from './browser'

const chromeAccept =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7'
const firefoxAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'

function request(headers: Record<string, string>, method = 'GET', url = 'http://127.0.0.1:3000/l/demo'): Request {
  return new Request(url, { method, headers })
}

describe('isBrowserNavigation', () => {
  test('a browser navigation (Chrome, Firefox) is one', () => {
    assert.equal(Browser.isBrowserNavigation(request({ accept: chromeAccept, 'sec-fetch-mode': 'navigate' })), true)
    assert.equal(Browser.isBrowserNavigation(request({ accept: firefoxAccept, 'sec-fetch-mode': 'navigate' })), true)
  })

  test('without Sec-Fetch-Mode, text/html must come first', () => {
    assert.equal(Browser.isBrowserNavigation(request({ accept: firefoxAccept })), true)
    assert.equal(Browser.isBrowserNavigation(request({ accept: 'application/json, text/html' })), false)
  })

  test('programs and fetches are not', () => {
    assert.equal(Browser.isBrowserNavigation(request({})), false)
    assert.equal(Browser.isBrowserNavigation(request({ accept: '*/*' })), false)
    assert.equal(Browser.isBrowserNavigation(request({ accept: 'application/json' })), false)
    assert.equal(Browser.isBrowserNavigation(request({ accept: 'application/json', 'sec-fetch-mode': 'cors' })), false)
    // A page's own fetch with Accept: text/html is still not a navigation.
    assert.equal(Browser.isBrowserNavigation(request({ accept: 'text/html', 'sec-fetch-mode': 'cors' })), false)
    assert.equal(Browser.isBrowserNavigation(request({ accept: 'text/html', 'sec-fetch-mode': 'no-cors' })), false)
  })

  test('q-values decide between HTML and JSON', () => {
    assert.equal(Browser.isBrowserNavigation(request({ accept: 'text/html;q=0.5, application/json', 'sec-fetch-mode': 'navigate' })), false)
    assert.equal(Browser.isBrowserNavigation(request({ accept: 'text/html, application/json;q=0.9', 'sec-fetch-mode': 'navigate' })), true)
    assert.equal(Browser.isBrowserNavigation(request({ accept: 'text/html;q=0', 'sec-fetch-mode': 'navigate' })), false)
    assert.equal(Browser.isBrowserNavigation(request({ accept: 'text/html;q=abc', 'sec-fetch-mode': 'navigate' })), false)
  })

  test('only GET navigations', () => {
    assert.equal(Browser.isBrowserNavigation(request({ accept: chromeAccept, 'sec-fetch-mode': 'navigate' }, 'POST')), false)
    assert.equal(Browser.isBrowserNavigation(request({ accept: chromeAccept, 'sec-fetch-mode': 'navigate' }, 'HEAD')), false)
  })
})

describe('checkoutPath', () => {
  test('carries the same-origin path and query, encoded', () => {
    assert.equal(Browser.checkoutPath(request({})), '/pay?u=%2Fl%2Fdemo')
    assert.equal(
      Browser.checkoutPath(request({}, 'GET', 'http://127.0.0.1:3000/api/examples/joke?x=1&y="2"')),
      '/pay?u=%2Fapi%2Fexamples%2Fjoke%3Fx%3D1%26y%3D%25222%2522',
    )
  })

  test('never names another host', () => {
    const path = Browser.checkoutPath(request({}, 'GET', 'http://evil.example//l/demo'))
    assert.ok(path.startsWith('/pay?u=%2F'))
    assert.ok(!decodeURIComponent(path.slice('/pay?u='.length)).includes('evil.example'))
  })
})

describe('toCheckoutDocument', () => {
  const challenge = 'Payment id="abc", realm="127.0.0.1:3000", method="evm", intent="charge", request="e30"'
  const agent = new Response('{"type":"x"}', {
    status: 402,
    headers: {
      'content-type': 'application/problem+json',
      'www-authenticate': challenge,
      'payment-required': 'eyJ4In0=',
      'content-length': '12',
    },
  })

  test('keeps the status and the payment headers, replaces the body with HTML', async () => {
    const response = Browser.toCheckoutDocument(agent.clone(), request({ accept: chromeAccept, 'sec-fetch-mode': 'navigate' }))
    assert.equal(response.status, 402)
    assert.equal(response.headers.get('www-authenticate'), challenge)
    assert.equal(response.headers.get('payment-required'), 'eyJ4In0=')
    assert.match(response.headers.get('content-type')!, /^text\/html/)
    assert.equal(response.headers.get('content-length'), null)
    assert.match(response.headers.get('content-security-policy')!, /default-src 'none'/)
    const html = await response.text()
    assert.match(html, /<meta http-equiv="refresh" content="0; url=\/pay\?u=%2Fl%2Fdemo">/)
    assert.match(html, /<a href="\/pay\?u=%2Fl%2Fdemo">Continue to checkout<\/a>/)
    assert.doesNotMatch(html, /<script/i)
  })

  test('escapes everything it interpolates', () => {
    const html = Browser.checkoutDocument('/pay?u="><script>alert(1)</script>')
    assert.doesNotMatch(html, /<script>/)
    assert.match(html, /&#34;&#62;&#60;script&#62;/)
  })
})

describe('problemForBrowser', () => {
  const problem = () =>
    new Response(
      JSON.stringify({
        type: 'about:blank',
        title: 'Link not found',
        status: 404,
        detail: 'There is no payment link at /l/<img src=x onerror=alert(1)>.',
      }),
      {
        status: 404,
        headers: { 'content-type': 'application/problem+json' },
      },
    )

  test('a person gets a readable page with the same status, text escaped', async () => {
    const response = await Browser.problemForBrowser(request({ accept: chromeAccept, 'sec-fetch-mode': 'navigate' }), problem())
    assert.equal(response.status, 404)
    assert.match(response.headers.get('content-type')!, /^text\/html/)
    const html = await response.text()
    assert.match(html, /<h1>Link not found<\/h1>/)
    assert.match(html, /&#60;img src=x onerror=alert\(1\)&#62;/)
    assert.doesNotMatch(html, /<img/)
  })

  test('a program keeps the problem+json', async () => {
    const response = await Browser.problemForBrowser(request({ accept: 'application/json' }), problem())
    assert.equal(response.headers.get('content-type'), 'application/problem+json')
    assert.equal(((await response.json()) as { status: number }).status, 404)
  })
})
