// Issue 12 item 1, hostile merchant: paid content never runs on Tollgate's origin. A running stack sells
// an upstream that answers HTML, SVG, XHTML, XML, JavaScript and untyped bytes with scripts and hostile
// headers (cookies, CSP, CORS, Refresh, Link, Location), plus inline and uploaded content; each paid
// delivery is sandboxed, never sniffed, an attachment when a browser could run it, and carries none
// of the upstream's headers. A redirect from the upstream is never followed.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { anvilPrivateKey } from '@/scripts/chain/deploy'
import { jsonInit, payWithMppx, signIn, type Client } from '@/test/dashboard/support'
import { hostileHeaders, startHostileUpstream, type HostileUpstream } from '@/test/support/hostile-upstream'
import { startStack, type Stack } from '@/test/support/stack'

const sandbox = "sandbox; default-src 'none'"

type Kind = {
  slug: string
  resource: Record<string, unknown>
  contentType: string
  /** The download name when a browser must not render it; null when it is shown inline. */
  attachment: string | null
  body?: string
}

describe('paid content never runs on our origin (issue 12, item 1)', () => {
  let stack: Stack
  let upstream: HostileUpstream
  let merchant: Client
  const payer = anvilPrivateKey(4)
  let kinds: Kind[] = []

  before(async () => {
    upstream = await startHostileUpstream()
    stack = await startStack()
    merchant = await signIn(stack.url, anvilPrivateKey(0))
    const form = new FormData()
    form.set('file', new Blob(['<script>document.title="pwned"</script>'], { type: 'text/html' }), 'page.html')
    const upload = await merchant.request('/api/dashboard/files', { method: 'POST', body: form })
    assert.equal(upload.status, 201)
    const fileId = ((await upload.json()) as { file: { id: string } }).file.id
    const proxy = (path: string) => ({ kind: 'proxy', url: `${upstream.url}${path}` })
    kinds = [
      { slug: 'hostile-html', resource: proxy('/html'), contentType: 'text/html; charset=utf-8', attachment: 'hostile-html.html' },
      { slug: 'hostile-svg', resource: proxy('/svg'), contentType: 'image/svg+xml', attachment: 'hostile-svg.svg' },
      { slug: 'hostile-xhtml', resource: proxy('/xhtml'), contentType: 'application/xhtml+xml', attachment: 'hostile-xhtml.xhtml' },
      { slug: 'hostile-xml', resource: proxy('/xml'), contentType: 'text/xml', attachment: 'hostile-xml.xml' },
      { slug: 'hostile-js', resource: proxy('/js'), contentType: 'text/javascript', attachment: 'hostile-js.js' },
      { slug: 'hostile-untyped', resource: proxy('/untyped'), contentType: 'application/octet-stream', attachment: 'hostile-untyped' },
      { slug: 'hostile-json', resource: proxy('/json'), contentType: 'application/json', attachment: null },
      {
        slug: 'hostile-inline-text',
        resource: { kind: 'inline', contentType: 'text/plain', body: '<script>alert(1)</script>' },
        contentType: 'text/plain; charset=utf-8',
        attachment: null,
        body: '<script>alert(1)</script>',
      },
      {
        slug: 'hostile-inline-json',
        resource: { kind: 'inline', contentType: 'application/json', body: '{"html":"<svg onload=alert(1)>"}' },
        contentType: 'application/json; charset=utf-8',
        attachment: null,
        body: '{"html":"<svg onload=alert(1)>"}',
      },
      {
        slug: 'hostile-file',
        resource: { kind: 'file', fileId },
        contentType: 'text/html',
        attachment: 'page.html',
        body: '<script>document.title="pwned"</script>',
      },
    ]
    for (const kind of [...kinds, { slug: 'hostile-redirect', resource: proxy('/redirect') }]) {
      const created = await merchant.request(
        '/api/dashboard/links',
        jsonInit('POST', { slug: kind.slug, title: kind.slug, price: '0.01', rails: ['evm'], resource: kind.resource }),
      )
      assert.equal(created.status, 201, await created.text())
    }
  })
  after(async () => {
    await stack?.stop()
    await upstream?.stop()
  })

  test('each kind of delivery: sandboxed, nosniff, attachments for active types, no upstream header', async () => {
    for (const kind of kinds) {
      const paid = await payWithMppx(`${stack.url}/l/${kind.slug}`, payer)
      const body = await paid.text()
      assert.equal(paid.status, 200, `${kind.slug}: ${body}`)
      assert.ok(paid.headers.get('payment-receipt'), `${kind.slug} was paid`)
      assert.equal(paid.headers.get('content-security-policy'), sandbox, kind.slug)
      assert.equal(paid.headers.get('x-content-type-options'), 'nosniff', kind.slug)
      assert.equal(paid.headers.get('content-type'), kind.contentType, kind.slug)
      assert.equal(paid.headers.get('content-disposition'), kind.attachment && `attachment; filename="${kind.attachment}"`, kind.slug)
      // The paid bytes themselves are intact: agents get exactly what they bought.
      if (kind.body) assert.equal(body, kind.body)
      else assert.match(body, kind.slug === 'hostile-json' ? /"paid":true/ : /document\.title='pwned'/, kind.slug)
      for (const name of Object.keys(hostileHeaders)) {
        const value = paid.headers.get(name)
        if (name === 'content-security-policy' || name === 'content-disposition') continue
        if (name === 'link') assert.equal(value, paid.headers.get('link')?.match(/^<\/receipts\/[\w-]+>; rel="receipt"$/)?.[0] ?? null)
        else assert.equal(value, null, `${kind.slug} passed the upstream's ${name}`)
      }
      assert.equal(paid.headers.get('access-control-allow-credentials'), null)
    }
    assert.equal(upstream.hits('/exfil'), 0)
    assert.equal(upstream.hits('/ran'), 0)
  })

  test("an upstream's redirect to 127.0.0.1 is not followed: the payer gets a 502 problem and a one-retry grant", async () => {
    const paid = await payWithMppx(`${stack.url}/l/hostile-redirect`, payer)
    assert.equal(paid.status, 502)
    assert.match(paid.headers.get('content-type') ?? '', /^application\/problem\+json/)
    const problem = (await paid.json()) as { title: string; detail: string }
    assert.equal(problem.title, 'Paid, but the resource failed')
    assert.match(problem.detail, /retry the same request to fetch it again without paying/)
    assert.match(paid.headers.get('set-cookie') ?? '', /^tg_[\w-]+=[\w-]+; Path=\/l\/hostile-redirect; HttpOnly/)
    assert.equal(paid.headers.get('location'), null)
    assert.equal(upstream.hits('/redirect'), 1)
    assert.equal(upstream.hits('/secret'), 0, 'the redirect target was never fetched')
    // The merchant sees why in the dashboard.
    const paymentId = /^<\/receipts\/([\w-]+)>/.exec(paid.headers.get('link') ?? '')?.[1]
    const { payment } = (await (await merchant.request(`/api/dashboard/payments/${paymentId}`)).json()) as {
      payment: { delivery: string; deliveryError: string }
    }
    assert.equal(payment.delivery, 'failed')
    assert.match(payment.deliveryError, /answered 302 \(a redirect\); proxy links do not follow redirects/)
  })
})
