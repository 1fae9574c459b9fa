import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { checkoutContentSecurityPolicy, originOf } from './csp'

const nonce = 'MTIzNDU2Nzg5MGFiY2RlZg=='

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values]),
  )
}

describe('checkoutContentSecurityPolicy', () => {
  test('scripts run only by nonce; no inline script, no eval, no framing', () => {
    const csp = directives(checkoutContentSecurityPolicy({ nonce }))
    assert.deepEqual(csp.get('script-src'), ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"])
    assert.ok(![...csp.values()].flat().includes("'unsafe-inline'"))
    assert.ok(![...csp.values()].flat().includes("'unsafe-eval'"))
    assert.deepEqual(csp.get('frame-ancestors'), ["'none'"])
    assert.deepEqual(csp.get('object-src'), ["'none'"])
    assert.deepEqual(csp.get('connect-src'), ["'self'"])
  })

  test('the demo RPC and Stripe widen only their directives', () => {
    const csp = directives(checkoutContentSecurityPolicy({ nonce, connectSources: ['http://127.0.0.1:8545'], stripe: true }))
    assert.deepEqual(csp.get('connect-src'), ["'self'", 'http://127.0.0.1:8545', 'https://api.stripe.com'])
    assert.ok(csp.get('script-src')!.includes('https://js.stripe.com'))
    assert.ok(csp.get('frame-src')!.includes('https://js.stripe.com'))
  })

  test('refuses a weak nonce', () => {
    assert.throws(() => checkoutContentSecurityPolicy({ nonce: "abc' 'unsafe-inline" }))
  })
})

describe('originOf', () => {
  test('http(s) origins only', () => {
    assert.equal(originOf('http://127.0.0.1:8545/'), 'http://127.0.0.1:8545')
    assert.equal(originOf('https://user:pw@rpc.example/key/abc'), 'https://rpc.example')
    assert.equal(originOf('ws://127.0.0.1:8545'), null)
    assert.equal(originOf('not a url'), null)
    assert.equal(originOf(undefined), null)
  })
})
