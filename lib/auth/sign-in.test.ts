// Sign-In with Ethereum against a real database (PGlite and PostgreSQL): every refusal the
// dashboard promises, and the nonce spent exactly once even when two sign-ins race.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import { createSiweMessage } from 'viem/siwe'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import type { DbHandle } from '@/lib/store/db'
import * as Merchants from '@/lib/store/merchants'
import { describeEachDatabase } from '@/test/support/databases'
import { loadAuthConfig, type AuthConfig } from './config'
import { SignInRefusedError } from './errors'
import { issueNonce } from './nonces'
import { readSession, revokeSession } from './sessions'
import { signIn } from './sign-in'

const publicUrl = 'https://pay.example.com'
const baseEnv = { MPP_SECRET_KEY: randomBytes(32).toString('base64url'), PUBLIC_URL: publicUrl, EVM_CHAIN_ID: '31337' }

describeEachDatabase('Sign-In with Ethereum', (factory) => {
  let handle: DbHandle
  let config: AuthConfig
  before(async () => {
    handle = await factory.open()
    config = loadAuthConfig(baseEnv)
  })
  after(async () => {
    await handle?.close()
  })

  async function signed(
    overrides: Partial<Parameters<typeof createSiweMessage>[0]> = {},
    account = privateKeyToAccount(generatePrivateKey()),
  ) {
    const { nonce } = await issueNonce(handle.db, config.nonceTtlSeconds)
    const message = createSiweMessage({
      address: account.address,
      chainId: 31337,
      domain: 'pay.example.com',
      uri: `${publicUrl}/signin`,
      nonce,
      version: '1',
      issuedAt: new Date(),
      expirationTime: new Date(Date.now() + 600_000),
      statement: 'Sign in to the Tollgate dashboard.',
      ...overrides,
    })
    return { account, message, signature: await account.signMessage({ message }) }
  }

  const refused = (code: string) => (error: unknown) => error instanceof SignInRefusedError && error.code === code

  test('a correct message signs in, creates the merchant once and opens a session', async () => {
    const { account, message, signature } = await signed()
    const result = await signIn(handle.db, config, { message, signature })
    assert.equal(result.merchant.address, account.address)
    assert.match(result.cookie, /^__Host-tollgate_session=v1\./)
    assert.match(result.cookie, /HttpOnly/)
    const value = /=([^;]+)/.exec(result.cookie)![1]!
    const session = await readSession(handle.db, config.sessionKey, value)
    assert.equal(session?.merchant.id, result.merchant.id)

    const again = await signed({}, account)
    const second = await signIn(handle.db, config, { message: again.message, signature: again.signature })
    assert.equal(second.merchant.id, result.merchant.id)

    await revokeSession(handle.db, config.sessionKey, value)
    assert.equal(await readSession(handle.db, config.sessionKey, value), null, 'signed out sessions are refused')
  })

  test('a reused nonce is refused', async () => {
    const first = await signed()
    await signIn(handle.db, config, { message: first.message, signature: first.signature })
    await assert.rejects(signIn(handle.db, config, { message: first.message, signature: first.signature }), refused('invalid_nonce'))
  })

  test('two concurrent sign-ins with one nonce: exactly one gets a session', async () => {
    const { message, signature } = await signed()
    const results = await Promise.allSettled([
      signIn(handle.db, config, { message, signature }),
      signIn(handle.db, config, { message, signature }),
    ])
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1)
  })

  test('a nonce the server never issued is refused', async () => {
    const account = privateKeyToAccount(generatePrivateKey())
    const message = createSiweMessage({
      address: account.address,
      chainId: 31337,
      domain: 'pay.example.com',
      uri: publicUrl,
      nonce: 'madeUpNonce123',
      version: '1',
      issuedAt: new Date(),
    })
    await assert.rejects(
      signIn(handle.db, config, { message, signature: await account.signMessage({ message }) }),
      refused('invalid_nonce'),
    )
  })

  test('a message for another domain is refused (and does not spend the nonce)', async () => {
    const { message, signature } = await signed({ domain: 'evil.example.com' })
    await assert.rejects(signIn(handle.db, config, { message, signature }), refused('wrong_domain'))
  })

  test('a message whose URI is on another origin is refused', async () => {
    const { message, signature } = await signed({ uri: 'https://evil.example.com/signin' })
    await assert.rejects(signIn(handle.db, config, { message, signature }), refused('wrong_uri'))
  })

  test('a message for another chain is refused', async () => {
    const { message, signature } = await signed({ chainId: 1 })
    await assert.rejects(signIn(handle.db, config, { message, signature }), refused('wrong_chain'))
  })

  test('an expired message is refused', async () => {
    const { message, signature } = await signed({ issuedAt: new Date(Date.now() - 120_000), expirationTime: new Date(Date.now() - 60_000) })
    await assert.rejects(signIn(handle.db, config, { message, signature }), refused('message_expired'))
  })

  test('a message that is not valid yet is refused', async () => {
    const { message, signature } = await signed({ notBefore: new Date(Date.now() + 3600_000) })
    await assert.rejects(signIn(handle.db, config, { message, signature }), refused('message_not_yet_valid'))
  })

  test('a signature by another key, or over another message, is refused', async () => {
    const { message } = await signed()
    const other = privateKeyToAccount(generatePrivateKey())
    await assert.rejects(
      signIn(handle.db, config, { message, signature: await other.signMessage({ message }) }),
      refused('invalid_signature'),
    )
    const { account } = await signed()
    await assert.rejects(
      signIn(handle.db, config, { message, signature: await account.signMessage({ message: `${message} ` }) }),
      refused('invalid_signature'),
    )
  })

  test('garbage input is a 400, never a crash', async () => {
    for (const input of [
      null,
      {},
      { message: 'hello', signature: '0x00' },
      { message: 1, signature: 2 },
      { message: 'x'.repeat(5000), signature: '0x' },
    ]) {
      await assert.rejects(
        signIn(handle.db, config, input),
        (error: unknown) => error instanceof SignInRefusedError && error.status === 400,
      )
    }
  })

  test('ALLOWED_MERCHANTS: a listed address signs in, another is refused and no merchant is created', async () => {
    const allowed = privateKeyToAccount(generatePrivateKey())
    const restricted = loadAuthConfig({ ...baseEnv, ALLOWED_MERCHANTS: allowed.address.toLowerCase() })
    const ok = await signed({}, allowed)
    assert.equal((await signIn(handle.db, restricted, { message: ok.message, signature: ok.signature })).merchant.address, allowed.address)
    const stranger = await signed()
    await assert.rejects(
      signIn(handle.db, restricted, { message: stranger.message, signature: stranger.signature }),
      refused('merchant_not_allowed'),
    )
    assert.equal(await Merchants.getByAddress(handle.db, stranger.account.address), null)
  })
})
