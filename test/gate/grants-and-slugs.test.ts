// What a grant opens and where a slug leads, on a running server. Issue 12 item 10: a withPayment route
// priced by a function with an access window (/api/examples/report) binds each grant to the terms it was
// bought at, so paying for ?size=small does not open ?size=large. Item 11: a renamed or deleted link's
// slug stays its merchant's: the old URL redirects to the current slug (or answers 410 once deleted), and
// another merchant gets a 409 for it.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { anvilAccount, anvilPrivateKey } from '@/scripts/chain/deploy'
import { jsonInit, signIn, until, type Client } from '@/test/dashboard/support'
import { type Stack, startStack } from '@/test/support/stack'
import { mppCredentialFor } from './internal/payers'

describe('grants are bound to what was priced; slugs stay with their merchant', () => {
  let stack: Stack
  let owner: Client
  let other: Client

  before(async () => {
    stack = await startStack()
    owner = await signIn(stack.url, anvilPrivateKey(0))
    other = await signIn(stack.url, anvilPrivateKey(2))
  })
  after(async () => {
    await stack?.stop()
  })

  describe('grants', () => {
    const report = (size: string) => `${stack.url}/api/examples/report?size=${size}`

    test('pay for ?size=small: its grant keeps it open, but ?size=large is still a 402', async () => {
      const small = await fetch(report('small'))
      assert.equal(small.status, 402)
      const paid = await fetch(report('small'), { headers: { authorization: await mppCredentialFor(anvilAccount(3), small) } })
      assert.equal(paid.status, 200, await paid.clone().text())
      assert.deepEqual(await paid.json(), { report: 'Widget market', size: 'small', sections: ['Summary'] })
      const cookie = paid.headers.get('set-cookie')?.split(';')[0]
      assert.ok(cookie, 'a window grant comes with its cookie')

      const large = await fetch(report('large'), { headers: { cookie } })
      assert.equal(large.status, 402, 'the small report’s grant does not open the large one')
      assert.match(await large.text(), /\$0\.05/)
      const again = await fetch(report('small'), { headers: { cookie } })
      assert.equal(again.status, 200, await again.clone().text())
      assert.equal(again.headers.get('payment-receipt'), null, 'opened by the grant, not a new payment')
      assert.equal(((await again.json()) as { size: string }).size, 'small')
    })

    test('buying the large report too leaves both open, each with its own grant', async () => {
      const payer = anvilAccount(4)
      const cookies: string[] = []
      for (const size of ['small', 'large']) {
        const paid = await fetch(report(size), { headers: { authorization: await mppCredentialFor(payer, await fetch(report(size))) } })
        assert.equal(paid.status, 200, await paid.clone().text())
        await paid.body?.cancel()
        cookies.push(paid.headers.get('set-cookie')!.split(';')[0]!)
      }
      assert.notEqual(cookies[0]!.split('=')[0], cookies[1]!.split('=')[0], 'two grants, two cookie names')
      for (const size of ['small', 'large']) {
        const open = await fetch(report(size), { headers: { cookie: cookies.join('; ') } })
        assert.equal(open.status, 200, size)
        assert.equal(((await open.json()) as { size: string }).size, size)
      }
    })
  })

  describe('slugs', () => {
    async function create(client: Client, slug: string): Promise<Response> {
      return client.request(
        '/api/dashboard/links',
        jsonInit('POST', {
          title: 'Spring sale',
          price: '0.01',
          rails: ['evm'],
          slug,
          resource: { kind: 'inline', contentType: 'text/plain', body: 'x' },
        }),
      )
    }

    async function assertTaken(response: Response, slug: string): Promise<void> {
      const text = await response.text()
      assert.equal(response.status, 409, text)
      const { error } = JSON.parse(text) as { error: { code: string; message: string } }
      assert.equal(error.code, 'slug_taken')
      assert.match(error.message, new RegExp(`"${slug}" is already taken.*old slugs stay with their merchant`))
    }

    test("a renamed link's old URL redirects to its current slug, and another merchant cannot take the old slug", async () => {
      const created = await create(owner, 'spring-sale')
      assert.equal(created.status, 201, await created.clone().text())
      const { link } = (await created.json()) as { link: { id: string } }
      const renamed = await owner.request(`/api/dashboard/links/${link.id}`, jsonInit('PATCH', { slug: 'summer-sale' }))
      assert.equal(renamed.status, 200, await renamed.clone().text())

      const old = await fetch(`${stack.url}/l/spring-sale?ref=qr`, { redirect: 'manual' })
      assert.equal(old.status, 308)
      assert.equal(old.headers.get('location'), `${stack.url}/l/summer-sale?ref=qr`)
      const followed = await fetch(`${stack.url}/l/spring-sale`)
      assert.equal(followed.status, 402, 'the old URL still sells the same link')
      assert.equal(new URL(followed.url).pathname, '/l/summer-sale')

      await assertTaken(await create(other, 'spring-sale'), 'spring-sale')
      const theirs = (await (await create(other, 'their-own-sale')).json()) as { link: { id: string } }
      await assertTaken(
        await other.request(`/api/dashboard/links/${theirs.link.id}`, jsonInit('PATCH', { slug: 'spring-sale' })),
        'spring-sale',
      )
      assert.equal(
        (await fetch(`${stack.url}/l/spring-sale`, { redirect: 'manual' })).headers.get('location'),
        `${stack.url}/l/summer-sale`,
      )
    })

    test("a deleted link's slug answers 410 and stays reserved to its merchant", async () => {
      const created = (await (await create(owner, 'flash-sale')).json()) as { link: { id: string } }
      assert.equal((await owner.request(`/api/dashboard/links/${created.link.id}`, { method: 'DELETE' })).status, 200)
      const gone = await fetch(`${stack.url}/l/flash-sale`)
      assert.equal(gone.status, 410)
      assert.match(await gone.text(), /deleted by its merchant/)
      await assertTaken(await create(other, 'flash-sale'), 'flash-sale')
      assert.equal((await fetch(`${stack.url}/l/flash-sale`)).status, 410, 'still nobody else’s link')
      assert.equal((await create(owner, 'flash-sale')).status, 201, 'its merchant may use it again')
      // Unpaid requests may see a link row up to the link cache's TTL (2 s) old.
      await until(async () => (await fetch(`${stack.url}/l/flash-sale`)).status === 402, 'the new link at its old slug', 5_000)
      assert.equal((await fetch(`${stack.url}/l/never-a-link`)).status, 404)
    })
  })
})
