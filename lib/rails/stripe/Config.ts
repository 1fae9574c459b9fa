// Stripe rail configuration from the environment. Without keys the rail is simply not offered;
// half a configuration is a deployment mistake and fails loudly (naming variables, never values).

export type StripeApiAddress = { host: string; port: number; protocol: 'http' | 'https' }

export type StripeConfig = {
  secretKey: string
  publishableKey: string
  webhookSecret: string
  /** Stripe Business Network profile id offered in `methodDetails.networkId`. */
  networkId: string
  /** `methodDetails.paymentMethodTypes`, also the PaymentIntents' `payment_method_types`. */
  paymentMethodTypes: readonly string[]
  /** A Stripe-compatible API host instead of api.stripe.com (proxies, mocks); absent in normal deployments. */
  api?: StripeApiAddress
}

export class StripeConfigError extends Error {
  override name = 'StripeConfigError'
}

export const defaults = {
  // Stripe's own examples use 'internal' for a seller on the same Stripe platform as the agent.
  networkId: 'internal',
  paymentMethodTypes: ['card'] as readonly string[],
}

const required = ['STRIPE_SECRET_KEY', 'NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY', 'STRIPE_WEBHOOK_SECRET'] as const

/**
 * Reads STRIPE_SECRET_KEY, NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY, STRIPE_WEBHOOK_SECRET and the optional
 * STRIPE_API_BASE, STRIPE_NETWORK_ID, STRIPE_PAYMENT_METHOD_TYPES (comma-separated).
 * Returns null when none of the three keys is set. Throws StripeConfigError when only some are, or one is malformed.
 */
export function loadStripeConfig(env: Record<string, string | undefined> = process.env): StripeConfig | null {
  const value = (name: string) => {
    const raw = env[name]?.trim()
    return raw ? raw : undefined
  }
  const present = required.filter((name) => value(name) !== undefined)
  if (present.length === 0) return null
  const missing = required.filter((name) => value(name) === undefined)
  if (missing.length > 0)
    throw new StripeConfigError(`Stripe is partly configured: set ${missing.join(', ')} too (or unset ${present.join(', ')})`)
  const types = value('STRIPE_PAYMENT_METHOD_TYPES')
  return createStripeConfig({
    secretKey: value('STRIPE_SECRET_KEY') as string,
    publishableKey: value('NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY') as string,
    webhookSecret: value('STRIPE_WEBHOOK_SECRET') as string,
    networkId: value('STRIPE_NETWORK_ID'),
    paymentMethodTypes: types
      ?.split(',')
      .map((type) => type.trim())
      .filter(Boolean),
    apiBase: value('STRIPE_API_BASE'),
  })
}

export type CreateStripeConfigParameters = Omit<StripeConfig, 'networkId' | 'paymentMethodTypes' | 'api'> & {
  networkId?: string
  paymentMethodTypes?: readonly string[]
  /** e.g. `http://127.0.0.1:12111`; parsed into host, port and protocol for the SDK. */
  apiBase?: string
}

export function createStripeConfig(parameters: CreateStripeConfigParameters): StripeConfig {
  const { secretKey, publishableKey, webhookSecret, apiBase } = parameters
  const secret = /^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/.exec(secretKey)
  if (!secret) throw new StripeConfigError('STRIPE_SECRET_KEY must be a Stripe secret or restricted key (sk_… or rk_…)')
  const publishable = /^pk_(test|live)_[A-Za-z0-9_]+$/.exec(publishableKey)
  if (!publishable) throw new StripeConfigError('NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY must be a Stripe publishable key (pk_…)')
  if (secret[2] !== publishable[1]) {
    throw new StripeConfigError('STRIPE_SECRET_KEY and NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY must both be test keys or both be live keys')
  }
  if (!/^whsec_[A-Za-z0-9_]+$/.test(webhookSecret))
    throw new StripeConfigError('STRIPE_WEBHOOK_SECRET must be a webhook signing secret (whsec_…)')
  const networkId = parameters.networkId ?? defaults.networkId
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(networkId))
    throw new StripeConfigError('STRIPE_NETWORK_ID must be a Stripe Business Network profile id')
  const paymentMethodTypes = [...(parameters.paymentMethodTypes ?? defaults.paymentMethodTypes)]
  if (paymentMethodTypes.length === 0 || !paymentMethodTypes.every((type) => /^[a-z][a-z0-9_]*$/.test(type))) {
    throw new StripeConfigError('STRIPE_PAYMENT_METHOD_TYPES must list Stripe payment method types, e.g. "card,link"')
  }
  const config: StripeConfig = { secretKey, publishableKey, webhookSecret, networkId, paymentMethodTypes }
  if (apiBase !== undefined) config.api = parseApiBase(apiBase)
  return config
}

function parseApiBase(apiBase: string): StripeApiAddress {
  let url: URL
  try {
    url = new URL(apiBase)
  } catch {
    throw new StripeConfigError('STRIPE_API_BASE must be an absolute URL such as https://api.stripe.com')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new StripeConfigError('STRIPE_API_BASE must use http or https')
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username || url.password) {
    throw new StripeConfigError('STRIPE_API_BASE must be a bare origin (no path, query or credentials)')
  }
  const protocol = url.protocol === 'http:' ? 'http' : 'https'
  // URL keeps IPv6 hosts bracketed; Node's http client wants them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  return { host, port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443, protocol }
}
