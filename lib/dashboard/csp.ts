// The merchant pages' security headers (/dashboard/*, /signin): scripts only by per-request nonce
// (Next puts it on its own scripts when the request carries this policy), no framing by any site,
// network only to this origin. Wallet extensions talk to the page through injected providers, which
// no policy of the page governs.

export type DashboardCspParameters = {
  nonce: string
  /** `next dev` needs eval for its error overlay; never in production. */
  development?: boolean
}

export function dashboardContentSecurityPolicy(parameters: DashboardCspParameters): string {
  const { nonce, development = false } = parameters
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(nonce)) throw new Error('CSP nonce must be at least 16 base64 characters')
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(development ? ["'unsafe-eval'"] : [])],
    'style-src': ["'self'", `'nonce-${nonce}'`],
    // React's style props become style attributes in server HTML; an attribute cannot run script.
    'style-src-attr': ["'unsafe-inline'"],
    // Wallet icons arrive as data: URIs (EIP-6963); the share panel's QR code is inline SVG.
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'"],
    'frame-src': ["'none'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  }
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ')
}

/** Headers every merchant page response carries, beside its policy. */
export function dashboardPageHeaders(policy: string): Record<string, string> {
  return {
    'content-security-policy': policy,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
  }
}

/** A fresh nonce: 18 random bytes, base64 (Web Crypto, so it runs wherever the proxy runs). */
export function createNonce(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(18))))
}
