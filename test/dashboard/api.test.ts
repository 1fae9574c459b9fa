// The dashboard API on a running stack (anvil + seeded database + `next start`): sign-in refusals,
// sessions, and every route refusing one merchant access to another merchant's objects.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { anvilPrivateKey } from '@/scripts/chain/deploy'
import * as Signature from '@/lib/webhooks/signature'
import { startStack, type Stack } from '@/test/support/stack'
import { jsonInit, payWithMppx, signedMessage, signIn, until, verify, webhookEndpoint, type Client, type Hook } from './support'

describe('dashboard API', () => {
  let stack: Stack
  let a: Client // the seeded demo merchant (anvil account 0)
  let b: Client // another merchant
  let hook: Hook
  const bObjects = { linkId: '', fileId: '', fileLinkId: '', paymentId: '', deliveryId: '' }

  before(async () => {
    stack = await startStack({ env: { WEBHOOK_RETRY_BASE_SECONDS: '0.5' } })
    hook = await webhookEndpoint()
    a = await signIn(stack.url, anvilPrivateKey(0))
    b = await signIn(stack.url, anvilPrivateKey(2))

    // Merchant B: a webhook endpoint, an uploaded file, two links, and one real payment.
    assert.equal((await b.request('/api/dashboard/webhook', jsonInit('PUT', { url: hook.url }))).status, 200)
    const form = new FormData()
    form.set('file', new Blob(['secret notes of B'], { type: 'text/plain' }), 'b-notes.txt')
    const upload = await b.request('/api/dashboard/files', { method: 'POST', body: form })
    assert.equal(upload.status, 201)
    bObjects.fileId = ((await upload.json()) as { file: { id: string } }).file.id
    const created = await b.request(
      '/api/dashboard/links',
      jsonInit('POST', {
        title: 'B sells',
        price: '0.03',
        rails: ['evm'],
        resource: { kind: 'inline', contentType: 'text/plain', body: 'B content' },
      }),
    )
    assert.equal(created.status, 201)
    const link = ((await created.json()) as { link: { id: string; url: string; recipient: string } }).link
    assert.equal(link.recipient, b.address, 'the recipient defaults to the signed-in address')
    bObjects.linkId = link.id
    const fileLink = await b.request(
      '/api/dashboard/links',
      jsonInit('POST', { title: 'B file', price: '0.04', rails: ['evm'], resource: { kind: 'file', fileId: bObjects.fileId } }),
    )
    bObjects.fileLinkId = ((await fileLink.json()) as { link: { id: string } }).link.id

    const paid = await payWithMppx(link.url, anvilPrivateKey(3))
    assert.equal(paid.status, 200, await paid.clone().text())
    assert.equal(await paid.text(), 'B content')
    const payments = (await (await b.request('/api/dashboard/payments')).json()) as { payments: Array<{ id: string; amountUsd: string }> }
    assert.equal(payments.payments.length, 1)
    bObjects.paymentId = payments.payments[0]!.id
    // The gate queued payment.succeeded for B's endpoint when it recorded the payment.
    const log = await until(async () => {
      const body = (await (await b.request('/api/dashboard/webhook/deliveries')).json()) as { deliveries: Array<{ id: string }> }
      return body.deliveries[0]
    }, "B's webhook delivery")
    bObjects.deliveryId = log.id
  })

  after(async () => {
    await hook?.close()
    await stack?.stop()
  })

  describe('sign-in', () => {
    test('a reused nonce is refused', async () => {
      const signed = await signedMessage(stack.url, anvilPrivateKey(4))
      assert.equal((await verify(stack.url, signed)).status, 200)
      const again = await verify(stack.url, signed)
      assert.equal(again.status, 401)
      assert.equal(((await again.json()) as { error: { code: string } }).error.code, 'invalid_nonce')
    })

    test('a message for another domain is refused', async () => {
      const signed = await signedMessage(stack.url, anvilPrivateKey(4), { domain: 'evil.example.com' })
      const response = await verify(stack.url, signed)
      assert.equal(response.status, 401)
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'wrong_domain')
      assert.equal(response.headers.get('set-cookie'), null)
    })

    test('an expired message is refused', async () => {
      const signed = await signedMessage(stack.url, anvilPrivateKey(4), {
        issuedAt: new Date(Date.now() - 120_000),
        expirationTime: new Date(Date.now() - 1000),
      })
      const response = await verify(stack.url, signed)
      assert.equal(response.status, 401)
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'message_expired')
    })

    test('a message for another chain or URI, or signed by another key, is refused', async () => {
      const chain = await signedMessage(stack.url, anvilPrivateKey(4), { chainId: 1 })
      assert.equal(((await (await verify(stack.url, chain)).json()) as { error: { code: string } }).error.code, 'wrong_chain')
      const uri = await signedMessage(stack.url, anvilPrivateKey(4), { uri: 'https://evil.example.com/signin' })
      assert.equal(((await (await verify(stack.url, uri)).json()) as { error: { code: string } }).error.code, 'wrong_uri')
      const forged = await signedMessage(stack.url, anvilPrivateKey(4))
      const other = await signedMessage(stack.url, anvilPrivateKey(5))
      const response = await verify(stack.url, { message: forged.message, signature: other.signature })
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'invalid_signature')
    })

    test('the session cookie is HttpOnly and SameSite=Lax; signing out revokes it', async () => {
      const signed = await signedMessage(stack.url, anvilPrivateKey(4))
      const response = await verify(stack.url, signed)
      const setCookie = response.headers.get('set-cookie')!
      assert.match(setCookie, /HttpOnly/)
      assert.match(setCookie, /SameSite=Lax/)
      assert.match(setCookie, /Max-Age=\d+/)
      const cookie = setCookie.split(';')[0]!
      assert.equal((await fetch(`${stack.url}/api/dashboard/session`, { headers: { cookie } })).status, 200)
      const out = await fetch(`${stack.url}/api/dashboard/auth/signout`, { method: 'POST', headers: { cookie } })
      assert.match(out.headers.get('set-cookie')!, /Max-Age=0/)
      assert.equal(
        (await fetch(`${stack.url}/api/dashboard/session`, { headers: { cookie } })).status,
        401,
        'a signed-out cookie is refused even if replayed',
      )
    })

    test('a tampered cookie is refused', async () => {
      const tampered = a.cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))
      assert.equal((await fetch(`${stack.url}/api/dashboard/session`, { headers: { cookie: tampered } })).status, 401)
    })

    // Issue 12 item 8: browsers drop tabs and newlines from a Location and fold "\" into "/", so these once led off-site or to a 500.
    test('after sign-in, /signin?next=… leads only to a path of this site, and never answers 5xx', async () => {
      const attacks = ['/\t/evil.example', '/\n/evil.example', '/\r\n/evil.example', '/\n', '//evil.example', '/\\evil.example']
      attacks.push('/..//evil.example', '/.%2e//evil.example', 'https://evil.example/dashboard', 'javascript:alert(1)')
      for (const next of attacks) {
        const response = await a.request(`/signin?next=${encodeURIComponent(next)}`)
        assert.ok(response.status >= 300 && response.status < 400, `${JSON.stringify(next)}: ${response.status}`)
        assert.equal(new URL(response.headers.get('location')!, stack.url).href, `${stack.url}/dashboard`, JSON.stringify(next))
        // Signed out, the page renders (the sign-in button returns to /dashboard then).
        const page = await fetch(`${stack.url}/signin?next=${encodeURIComponent(next)}`)
        assert.equal(page.status, 200, JSON.stringify(next))
        assert.match(await page.text(), /next\\*":\\*"\/dashboard\\*"/, `${JSON.stringify(next)}: the sign-in button returns to /dashboard`)
      }
      const local = await a.request(`/signin?next=${encodeURIComponent('/dashboard/payments?rail=evm')}`)
      assert.equal(new URL(local.headers.get('location')!, stack.url).href, `${stack.url}/dashboard/payments?rail=evm`)
    })
  })

  describe('without a session', () => {
    const apis: Array<[string, string]> = [
      ['GET', '/api/dashboard/session'],
      ['GET', '/api/dashboard/links'],
      ['POST', '/api/dashboard/links'],
      ['GET', '/api/dashboard/links/lnk_x'],
      ['PATCH', '/api/dashboard/links/lnk_x'],
      ['DELETE', '/api/dashboard/links/lnk_x'],
      ['GET', '/api/dashboard/files'],
      ['POST', '/api/dashboard/files'],
      ['GET', '/api/dashboard/files/fil_x'],
      ['GET', '/api/dashboard/payments'],
      ['GET', '/api/dashboard/payments/export'],
      ['GET', '/api/dashboard/payments/pay_x'],
      ['POST', '/api/dashboard/payments/pay_x/refund'],
      ['GET', '/api/dashboard/overview'],
      ['GET', '/api/dashboard/webhook'],
      ['PUT', '/api/dashboard/webhook'],
      ['POST', '/api/dashboard/webhook/secret'],
      ['GET', '/api/dashboard/webhook/deliveries'],
      ['POST', '/api/dashboard/webhook/deliveries/whd_x/resend'],
    ]
    for (const [method, route] of apis) {
      test(`${method} ${route} answers 401`, async () => {
        const response = await fetch(`${stack.url}${route}`, {
          method,
          headers: { 'content-type': 'application/json' },
          body: method === 'GET' ? undefined : '{}',
        })
        assert.equal(response.status, 401)
        assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'unauthenticated')
      })
    }

    for (const page of [
      '/dashboard',
      '/dashboard/links',
      '/dashboard/links/new',
      '/dashboard/links/lnk_x',
      '/dashboard/links/lnk_x/edit',
      '/dashboard/payments',
      '/dashboard/payments/pay_x',
      '/dashboard/webhooks',
    ]) {
      test(`page ${page} redirects to sign-in`, async () => {
        const response = await fetch(`${stack.url}${page}`, { redirect: 'manual' })
        assert.ok([302, 303, 307].includes(response.status), `status ${response.status}`)
        const location = new URL(response.headers.get('location')!, stack.url)
        assert.equal(location.pathname, '/signin')
        assert.equal(location.searchParams.get('next'), page)
      })
    }
  })

  test('a cross-site write is refused even with a valid session', async () => {
    const response = await a.request('/api/dashboard/links', {
      ...jsonInit('POST', { title: 'x', price: '1', rails: ['evm'], resource: { kind: 'inline', contentType: 'text/plain', body: 'x' } }),
      headers: { 'content-type': 'application/json', origin: 'https://evil.example.com' },
    })
    assert.equal(response.status, 403)
  })

  describe("merchant A cannot read or change merchant B's objects", () => {
    const notFound = async (response: Response, what: string) => {
      assert.equal(response.status, 404, `${what}: expected 404, got ${response.status}`)
      const text = await response.text()
      assert.ok(!text.includes('B content') && !text.includes('B sells'), `${what}: leaked B's data`)
    }

    test('read a link', async () => notFound(await a.request(`/api/dashboard/links/${bObjects.linkId}`), 'GET link'))
    test('edit a link', async () => {
      await notFound(
        await a.request(`/api/dashboard/links/${bObjects.linkId}`, jsonInit('PATCH', { title: 'hijacked', recipient: a.address })),
        'PATCH link',
      )
      const mine = (await (await b.request(`/api/dashboard/links/${bObjects.linkId}`)).json()) as {
        link: { title: string; recipient: string }
      }
      assert.equal(mine.link.title, 'B sells')
      assert.equal(mine.link.recipient, b.address)
    })
    test('deactivate a link', async () => {
      await notFound(await a.request(`/api/dashboard/links/${bObjects.linkId}`, jsonInit('PATCH', { active: false })), 'deactivate')
      assert.equal(
        ((await (await b.request(`/api/dashboard/links/${bObjects.linkId}`)).json()) as { link: { active: boolean } }).link.active,
        true,
      )
    })
    test('delete a link', async () => {
      await notFound(await a.request(`/api/dashboard/links/${bObjects.fileLinkId}`, { method: 'DELETE' }), 'DELETE link')
      assert.equal((await b.request(`/api/dashboard/links/${bObjects.fileLinkId}`)).status, 200)
    })
    test("sell B's file from A's link", async () => {
      const response = await a.request(
        '/api/dashboard/links',
        jsonInit('POST', { title: 'stolen', price: '1', rails: ['evm'], resource: { kind: 'file', fileId: bObjects.fileId } }),
      )
      assert.equal(response.status, 404)
      const mine = (await (await a.request('/api/dashboard/links')).json()) as { links: Array<{ id: string; title: string }> }
      assert.ok(!mine.links.some((l) => l.title === 'stolen'))
      const patch = await a.request(
        `/api/dashboard/links/${stack.links[0]!.id}`,
        jsonInit('PATCH', { resource: { kind: 'file', fileId: bObjects.fileId } }),
      )
      assert.equal(patch.status, 404)
    })
    test('download a file', async () => notFound(await a.request(`/api/dashboard/files/${bObjects.fileId}`), 'GET file'))
    test('list files, links and payments', async () => {
      const files = await (await a.request('/api/dashboard/files')).text()
      assert.ok(!files.includes(bObjects.fileId))
      const links = await (await a.request('/api/dashboard/links')).text()
      assert.ok(!links.includes(bObjects.linkId))
      const payments = await (await a.request('/api/dashboard/payments')).text()
      assert.ok(!payments.includes(bObjects.paymentId))
      const filtered = (await (await a.request(`/api/dashboard/payments?link=${bObjects.linkId}`)).json()) as { total: number }
      assert.equal(filtered.total, 0)
    })
    test('read a payment', async () => notFound(await a.request(`/api/dashboard/payments/${bObjects.paymentId}`), 'GET payment'))
    test('refund a payment', async () => {
      await notFound(await a.request(`/api/dashboard/payments/${bObjects.paymentId}/refund`, { method: 'POST' }), 'refund')
      const payment = (await (await b.request(`/api/dashboard/payments/${bObjects.paymentId}`)).json()) as { payment: { status: string } }
      assert.equal(payment.payment.status, 'succeeded')
    })
    test('export payments', async () => {
      for (const query of ['', `?link=${bObjects.linkId}`]) {
        const response = await a.request(`/api/dashboard/payments/export${query}`)
        assert.equal(response.status, 200)
        assert.ok(!(await response.text()).includes(bObjects.paymentId), `export${query} leaked B's payment`)
      }
      const own = await (await b.request('/api/dashboard/payments/export')).text()
      assert.ok(own.includes(bObjects.paymentId), "B's own export has it")
    })
    test('overview', async () => {
      const overview = (await (await a.request('/api/dashboard/overview')).json()) as { overview: { payments: number } }
      const mine = (await (await b.request('/api/dashboard/overview')).json()) as { overview: { payments: number; revenueUsd: string } }
      assert.equal(mine.overview.payments, 1)
      assert.equal(mine.overview.revenueUsd, '0.03')
      assert.equal(overview.overview.payments, 0)
    })
    test('webhook settings and secret', async () => {
      const settings = (await (await a.request('/api/dashboard/webhook')).json()) as {
        webhook: { url: string | null; secret: string | null }
      }
      const bSettings = (await (await b.request('/api/dashboard/webhook')).json()) as { webhook: { url: string; secret: string } }
      assert.notEqual(settings.webhook.url, hook.url)
      assert.notEqual(settings.webhook.secret, bSettings.webhook.secret)
      // Setting or rotating A's webhook never touches B's.
      await a.request('/api/dashboard/webhook/secret', { method: 'POST' })
      const after = (await (await b.request('/api/dashboard/webhook')).json()) as { webhook: { url: string; secret: string } }
      assert.deepEqual(after, bSettings)
    })
    test('webhook delivery log and resend', async () => {
      const log = await (await a.request('/api/dashboard/webhook/deliveries')).text()
      assert.ok(!log.includes(bObjects.deliveryId))
      await notFound(await a.request(`/api/dashboard/webhook/deliveries/${bObjects.deliveryId}/resend`, { method: 'POST' }), 'resend')
    })
    test('pages', async () => {
      for (const page of [
        `/dashboard/links/${bObjects.linkId}`,
        `/dashboard/links/${bObjects.linkId}/edit`,
        `/dashboard/payments/${bObjects.paymentId}`,
      ]) {
        const response = await a.request(page)
        assert.equal(response.status, 404, page)
        assert.ok(!(await response.text()).includes('B sells'), `${page} leaked B's link`)
      }
      assert.equal((await b.request(`/dashboard/links/${bObjects.linkId}`)).status, 200)
    })
  })

  describe('links', () => {
    test('create, edit, deactivate, reactivate; a paid link cannot be deleted, an unpaid one can', async () => {
      const created = await a.request(
        '/api/dashboard/links',
        jsonInit('POST', {
          title: 'Temp',
          price: '0.1',
          rails: ['evm'],
          resource: { kind: 'redirect', url: 'https://example.com/secret' },
          maxPayments: 3,
        }),
      )
      assert.equal(created.status, 201)
      const { link } = (await created.json()) as { link: { id: string } }
      const edited = (await (
        await a.request(`/api/dashboard/links/${link.id}`, jsonInit('PATCH', { title: 'Renamed', maxPayments: null }))
      ).json()) as { link: { title: string; maxPayments: null } }
      assert.equal(edited.link.title, 'Renamed')
      assert.equal(edited.link.maxPayments, null)
      assert.equal(
        (
          (await (await a.request(`/api/dashboard/links/${link.id}`, jsonInit('PATCH', { active: false }))).json()) as {
            link: { active: boolean }
          }
        ).link.active,
        false,
      )
      assert.equal(
        (
          (await (await a.request(`/api/dashboard/links/${link.id}`, jsonInit('PATCH', { active: true }))).json()) as {
            link: { active: boolean }
          }
        ).link.active,
        true,
      )
      const invalid = await a.request(`/api/dashboard/links/${link.id}`, jsonInit('PATCH', { price: '-1' }))
      assert.equal(invalid.status, 400)
      assert.equal(((await invalid.json()) as { error: { issues: Array<{ path: string }> } }).error.issues[0]!.path, 'price')
      assert.equal((await a.request(`/api/dashboard/links/${link.id}`, { method: 'DELETE' })).status, 200)
      const paid = await b.request(`/api/dashboard/links/${bObjects.linkId}`, { method: 'DELETE' })
      assert.equal(paid.status, 409)
    })

    test('uploads over the size limit are refused with 413', async () => {
      const form = new FormData()
      form.set('file', new Blob([new Uint8Array(10 * 1024 * 1024 + 1)]), 'big.bin')
      const response = await a.request('/api/dashboard/files', { method: 'POST', body: form })
      assert.equal(response.status, 413)
    })
  })

  test("B's webhook endpoint received one correctly signed payment.succeeded for the payment", async () => {
    const { webhook } = (await (await b.request('/api/dashboard/webhook')).json()) as { webhook: { secret: string } }
    const events = await until(async () => {
      const matching = hook.received.filter((r) => JSON.parse(r.body).data?.payment?.id === bObjects.paymentId)
      return matching.length > 0 ? matching : undefined
    }, 'the payment.succeeded delivery')
    assert.equal(events.length, 1)
    const event = JSON.parse(events[0]!.body)
    assert.equal(event.type, 'payment.succeeded')
    assert.equal(event.data.payment.amountUsd, '0.03')
    assert.ok(
      Signature.verify({ header: events[0]!.headers['tollgate-signature'] as string, secret: webhook.secret, rawBody: events[0]!.body }),
    )
  })
})
