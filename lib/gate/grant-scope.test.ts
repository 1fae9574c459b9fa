import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { canonicalQuery, grantKeyOf, isTermsDigest, termsDigest } from './grant-scope'
import { routeResource } from './with-payment'

const publicUrl = new URL('https://pay.example')
const alice = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const bob = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
const at = (search: string) => ({ method: 'GET', nextUrl: { pathname: '/api/report', search } })

describe('grant scope', () => {
  test('a route grant is bound to its price, its recipient and, for a price function, its query', () => {
    const small = routeResource(at('?size=small'), { amount: '0.01', accessMinutes: 10 }, publicUrl, alice, { pricedByRequest: true })
    const large = routeResource(at('?size=large'), { amount: '0.05', accessMinutes: 10 }, publicUrl, alice, { pricedByRequest: true })
    const sameSmall = routeResource(at('?size=small'), { amount: '0.01', accessMinutes: 10 }, publicUrl, alice, { pricedByRequest: true })
    const otherQuery = routeResource(at('?size=tiny'), { amount: '0.01', accessMinutes: 10 }, publicUrl, alice, { pricedByRequest: true })
    assert.equal(small.key, large.key, 'one resource key for the route (challenges name the route)')
    assert.notEqual(grantKeyOf(small), grantKeyOf(large))
    assert.notEqual(grantKeyOf(small), grantKeyOf(otherQuery), 'same price, other query: the function may have read it')
    assert.equal(grantKeyOf(small), grantKeyOf(sameSmall))
    assert.ok(grantKeyOf(small).startsWith(`${small.key}#`) && isTermsDigest(small.grantScope))
  })

  test('a fixed price ignores the query, but not the price or the payee', () => {
    const one = routeResource(at('?a=1'), '0.01', publicUrl, alice)
    const two = routeResource(at('?a=2'), '0.01', publicUrl, alice)
    assert.equal(grantKeyOf(one), grantKeyOf(two))
    assert.notEqual(grantKeyOf(one), grantKeyOf(routeResource(at(''), '0.02', publicUrl, alice)))
    assert.notEqual(grantKeyOf(one), grantKeyOf(routeResource(at(''), { amount: '0.01', recipient: bob }, publicUrl, alice)))
  })

  test('digests are stable and query order does not matter', () => {
    assert.equal(canonicalQuery('?b=2&a=1'), canonicalQuery('a=1&b=2'))
    assert.equal(termsDigest({ priceUsd: '1', recipient: alice }), termsDigest({ priceUsd: '1', recipient: alice.toLowerCase() }))
    assert.notEqual(termsDigest({ priceUsd: '1', recipient: alice }), termsDigest({ priceUsd: '1', recipient: alice, variant: '' }))
    assert.equal(grantKeyOf({ key: 'link:lnk_1' }), 'link:lnk_1', 'a link grant names the link, whatever its price')
  })
})
