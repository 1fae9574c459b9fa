// The checkout's Content-Security-Policy: scripts only by per-request nonce (and what they load,
// 'strict-dynamic'), no inline script, no framing, network only to this origin (plus the local
// chain's RPC for the demo test wallet). Card payments widen it to Stripe's documented hosts.

export type CheckoutCspParameters = {
  nonce: string
  /** Extra origins the page may fetch (e.g. the demo chain's RPC). */
  connectSources?: readonly string[]
  /** Stripe.js and its iframes, when the card rail is configured. */
  stripe?: boolean
  /** `next dev` needs eval for its error overlay; never in production. */
  development?: boolean
}

const stripeScript = ['https://js.stripe.com']
const stripeFrames = ['https://js.stripe.com', 'https://hooks.stripe.com']
const stripeConnect = ['https://api.stripe.com']

export function checkoutContentSecurityPolicy(parameters: CheckoutCspParameters): string {
  const { nonce, connectSources = [], stripe = false, development = false } = parameters
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(nonce)) throw new Error('CSP nonce must be at least 16 base64 characters')
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': [
      "'self'",
      `'nonce-${nonce}'`,
      "'strict-dynamic'",
      ...(development ? ["'unsafe-eval'"] : []),
      ...(stripe ? stripeScript : []),
    ],
    'style-src': ["'self'", `'nonce-${nonce}'`],
    // Wallet icons arrive as data: URIs (EIP-6963); paid images are shown from blob: URLs.
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'", ...connectSources, ...(stripe ? stripeConnect : [])],
    'frame-src': stripe ? stripeFrames : ["'none'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  }
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ')
}

/** The origin of an http(s) URL, for connect-src; null for anything else. */
export function originOf(url: string | undefined): string | null {
  if (!url || !URL.canParse(url)) return null
  const parsed = new URL(url)
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null
}

/** The policy this deployment's checkout and receipt pages get, from its environment. */
export function checkoutPolicyFromEnv(nonce: string, env: NodeJS.ProcessEnv = process.env): string {
  // The demo's test wallet talks to the local chain from the page; nothing else leaves the origin.
  const demoRpc = env.TOLLGATE_DEMO === '1' && env.EVM_CHAIN_ID === '31337' ? originOf(env.EVM_RPC_URL) : null
  return checkoutContentSecurityPolicy({
    nonce,
    connectSources: demoRpc ? [demoRpc] : [],
    stripe: Boolean(env.NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY),
    development: env.NODE_ENV === 'development',
  })
}
