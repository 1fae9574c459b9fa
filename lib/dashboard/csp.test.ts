import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createNonce, dashboardContentSecurityPolicy, dashboardPageHeaders } from './csp'

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values]),
  )
}

describe('dashboardContentSecurityPolicy', () => {
  test('scripts only by nonce; no inline script or eval; no framing; network only to this origin', () => {
    const nonce = createNonce()
    const csp = directives(dashboardContentSecurityPolicy({ nonce }))
    assert.deepEqual(csp.get('script-src'), ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"])
    assert.ok(!csp.get('script-src')!.includes("'unsafe-inline'"))
    assert.ok(![...csp.values()].flat().includes("'unsafe-eval'"))
    assert.deepEqual(csp.get('frame-ancestors'), ["'none'"])
    assert.deepEqual(csp.get('connect-src'), ["'self'"])
    assert.deepEqual(csp.get('object-src'), ["'none'"])
    assert.deepEqual(csp.get('base-uri'), ["'none'"])
    // Style attributes (React style props) only; style elements need the nonce too.
    assert.deepEqual(csp.get('style-src'), ["'self'", `'nonce-${nonce}'`])
    assert.deepEqual(csp.get('style-src-attr'), ["'unsafe-inline'"])
  })

  test('next dev gets eval, nothing else changes', () => {
    const nonce = createNonce()
    const dev = directives(dashboardContentSecurityPolicy({ nonce, development: true }))
    assert.ok(dev.get('script-src')!.includes("'unsafe-eval'"))
    assert.deepEqual(dev.get('frame-ancestors'), ["'none'"])
  })

  test('nonces are fresh, base64, 18 bytes; a malformed one is refused', () => {
    const nonces = new Set(Array.from({ length: 100 }, createNonce))
    assert.equal(nonces.size, 100)
    for (const nonce of nonces) assert.equal(Buffer.from(nonce, 'base64').byteLength, 18)
    assert.throws(() => dashboardContentSecurityPolicy({ nonce: "x' 'unsafe-inline" }))
  })

  test('page headers forbid framing in old browsers too', () => {
    const headers = dashboardPageHeaders('default-src ' + "'self'")
    assert.equal(headers['x-frame-options'], 'DENY')
    assert.equal(headers['x-content-type-options'], 'nosniff')
  })
})
