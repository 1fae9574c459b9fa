// Issue 12 item 5: every rate limit keys on the client's socket address, not on what the client
// writes into X-Forwarded-For. On a real server: rotating X-Forwarded-For (or the header the server
// records the socket in) buys no extra challenges, credential checks, sign-in nonces or card
// PaymentIntents; with TRUST_PROXY naming the proxy in front, the right-most entry it did not write
// for itself is the client. (Before the fix each new X-Forwarded-For value was a new client.)
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { type RunningApp, startApp } from '@/scripts/app'
import { freePort } from '@/test/support/ports'
import { type Stack, startStack } from '@/test/support/stack'

const limit = 3
let rotation = 0
/** A client-chosen X-Forwarded-For (and socket header) no request has sent before. */
const rotated = () => {
  rotation++
  return { 'x-forwarded-for': `198.51.${rotation >> 8}.${rotation & 255}`, 'x-tollgate-socket-address': `192.0.2.${rotation & 255}` }
}

/** Fixed one-minute windows: start a burst early enough in a window that it cannot straddle two. */
async function atWindowStart(): Promise<void> {
  const intoWindow = Date.now() % 60_000
  if (intoWindow > 40_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoWindow + 100))
}

describe('client keys come from the socket, not from X-Forwarded-For', () => {
  let stack: Stack
  let proxied: RunningApp
  let proxiedDataDir = ''

  before(async () => {
    const limits = {
      RATE_LIMIT_CHALLENGES_PER_MINUTE: String(limit),
      RATE_LIMIT_CREDENTIALS_PER_MINUTE: String(limit),
      RATE_LIMIT_SIGN_IN_PER_MINUTE: String(limit),
    }
    stack = await startStack({ env: limits })
    // A second server behind a "proxy" on loopback (this test): TRUST_PROXY=loopback, its own database.
    const port = await freePort()
    proxiedDataDir = mkdtempSync(path.join(os.tmpdir(), 'tollgate-trust-proxy-'))
    proxied = await startApp({
      port,
      quiet: true,
      env: { ...stack.env, ...limits, DATA_DIR: proxiedDataDir, PUBLIC_URL: `http://127.0.0.1:${port}`, TRUST_PROXY: 'loopback' },
    })
  })
  after(async () => {
    await proxied?.stop()
    await stack?.stop()
    if (proxiedDataDir) rmSync(proxiedDataDir, { recursive: true, force: true })
  })

  const statuses = async (count: number, send: () => Promise<Response>) => {
    const seen: number[] = []
    for (let i = 0; i < count; i++) {
      const response = await send()
      await response.arrayBuffer()
      seen.push(response.status)
    }
    return seen
  }

  test('rotating X-Forwarded-For does not reset any limit', async () => {
    await atWindowStart()
    const challenges = await statuses(limit + 2, () => fetch(`${stack.url}/l/demo`, { headers: rotated() }))
    assert.deepEqual(challenges, [402, 402, 402, 429, 429], 'challenges')

    // Credential checks and card PaymentIntents share one budget per client.
    const credentials = await statuses(limit - 1, () =>
      fetch(`${stack.url}/l/demo`, { headers: { ...rotated(), authorization: 'Payment not-a-credential' } }),
    )
    assert.deepEqual(credentials, [402, 402], 'credential attempts within the budget')
    const intent = () =>
      fetch(`${stack.url}/api/checkout/payment-intent`, {
        method: 'POST',
        headers: { ...rotated(), 'content-type': 'application/json' },
        body: JSON.stringify({ url: '/l/demo', challenge: 'Payment id="x"' }),
      })
    const intents = await statuses(2, intent)
    assert.notEqual(intents[0], 429, 'the last attempt of the budget')
    assert.equal(intents[1], 429, 'card PaymentIntents beyond the budget')
    const moreCredentials = await statuses(1, () => fetch(`${stack.url}/l/demo`, { headers: { ...rotated(), 'payment-signature': 'e30' } }))
    assert.deepEqual(moreCredentials, [429], 'credentials beyond the budget')

    const nonces = await statuses(limit + 1, () => fetch(`${stack.url}/api/dashboard/auth/nonce`, { method: 'POST', headers: rotated() }))
    assert.deepEqual(nonces, [200, 200, 200, 429], 'sign-in nonces')
  })

  test('with TRUST_PROXY, the right-most entry the trusted proxy did not write for itself is the client', async () => {
    await atWindowStart()
    const viaProxy = (client: string) => () =>
      // What a client prepends (left) is noise; the proxy appended the address it saw (right).
      fetch(`${proxied.url}/api/examples/joke`, { headers: { 'x-forwarded-for': `${rotated()['x-forwarded-for']}, ${client}` } })
    assert.deepEqual(await statuses(limit + 1, viaProxy('203.0.113.10')), [402, 402, 402, 429])
    assert.deepEqual(await statuses(limit + 1, viaProxy('203.0.113.11')), [402, 402, 402, 429], 'another client has its own budget')
    // The proxy itself, when it forwards nothing, is one client like any other.
    assert.deepEqual(await statuses(limit + 1, () => fetch(`${proxied.url}/api/examples/joke`)), [402, 402, 402, 429])
  })
})
