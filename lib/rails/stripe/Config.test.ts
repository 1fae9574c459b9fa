import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { StripeConfigError, createStripeConfig, loadStripeConfig } from './Config'

const keys = {
  STRIPE_SECRET_KEY: 'sk_test_51AbcSECRETvalue',
  NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY: 'pk_test_51AbcPUBLISHABLEvalue',
  STRIPE_WEBHOOK_SECRET: 'whsec_SIGNINGsecretValue',
}

describe('loadStripeConfig', () => {
  test('returns null when Stripe is not configured, so the rail is not offered', () => {
    assert.equal(loadStripeConfig({}), null)
    assert.equal(loadStripeConfig({ STRIPE_SECRET_KEY: '  ', STRIPE_API_BASE: 'http://127.0.0.1:1' }), null)
  })

  test('reads the keys with defaults for network id and payment method types', () => {
    const config = loadStripeConfig(keys)
    assert.deepEqual(config, {
      secretKey: keys.STRIPE_SECRET_KEY,
      publishableKey: keys.NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY,
      webhookSecret: keys.STRIPE_WEBHOOK_SECRET,
      networkId: 'internal',
      paymentMethodTypes: ['card'],
    })
  })

  test('a partial configuration names the missing variables and never echoes a value', () => {
    const error = (() => {
      try {
        loadStripeConfig({ STRIPE_SECRET_KEY: keys.STRIPE_SECRET_KEY })
      } catch (caught) {
        return caught
      }
    })()
    assert.ok(error instanceof StripeConfigError)
    assert.match(error.message, /NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY, STRIPE_WEBHOOK_SECRET/)
    assert.doesNotMatch(error.message, /SECRETvalue/)
  })

  test('rejects malformed keys and mixed test/live keys without echoing them', () => {
    const cases: Array<Record<string, string>> = [
      { ...keys, STRIPE_SECRET_KEY: 'pk_test_wrongKind' },
      { ...keys, NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY: 'sk_test_wrongKind' },
      { ...keys, STRIPE_WEBHOOK_SECRET: 'not-a-secret' },
      { ...keys, STRIPE_SECRET_KEY: 'sk_live_51AbcSECRETvalue' },
      { ...keys, STRIPE_NETWORK_ID: 'has spaces' },
      { ...keys, STRIPE_PAYMENT_METHOD_TYPES: ' , ' },
    ]
    for (const env of cases) {
      assert.throws(
        () => loadStripeConfig(env),
        (error: unknown) => error instanceof StripeConfigError && !/SECRETvalue|wrongKind/.test(error.message),
      )
    }
  })

  test('parses STRIPE_API_BASE into the host, port and protocol the SDK takes', () => {
    assert.deepEqual(loadStripeConfig({ ...keys, STRIPE_API_BASE: 'http://127.0.0.1:12111' })?.api, {
      host: '127.0.0.1',
      port: 12111,
      protocol: 'http',
    })
    assert.deepEqual(loadStripeConfig({ ...keys, STRIPE_API_BASE: 'https://stripe-proxy.example.com/' })?.api, {
      host: 'stripe-proxy.example.com',
      port: 443,
      protocol: 'https',
    })
    assert.deepEqual(loadStripeConfig({ ...keys, STRIPE_API_BASE: 'http://[::1]:9000' })?.api, {
      host: '::1',
      port: 9000,
      protocol: 'http',
    })
    for (const apiBase of ['ftp://example.com', 'example.com', 'https://example.com/v1', 'https://user:pw@example.com']) {
      assert.throws(() => loadStripeConfig({ ...keys, STRIPE_API_BASE: apiBase }), StripeConfigError, apiBase)
    }
  })

  test('takes a network id and a comma-separated list of payment method types', () => {
    const config = loadStripeConfig({
      ...keys,
      STRIPE_NETWORK_ID: 'profile_1MqDcVKA5fEO2tZvKQm9g8Yj',
      STRIPE_PAYMENT_METHOD_TYPES: 'card, link',
    })
    assert.equal(config?.networkId, 'profile_1MqDcVKA5fEO2tZvKQm9g8Yj')
    assert.deepEqual(config?.paymentMethodTypes, ['card', 'link'])
  })

  test('createStripeConfig accepts restricted keys', () => {
    const config = createStripeConfig({ secretKey: 'rk_test_abc', publishableKey: 'pk_test_abc', webhookSecret: 'whsec_abc' })
    assert.equal(config.secretKey, 'rk_test_abc')
  })
})
