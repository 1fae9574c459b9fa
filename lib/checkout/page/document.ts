// The frame every server-written payer page shares (checkout and receipt): head, stylesheet, the
// Tollgate header and a footer. Pages pass their main content and any scripts as Html.
import { assetsPath, type AssetsManifest } from './assets'
import { html, type Html } from './html'

export type PayerDocument = {
  title: string
  /** The small label beside the brand ("Secure checkout", "Receipt"). */
  context: string
  main: Html
  footer: string
  assets: AssetsManifest
  referrer: 'same-origin' | 'no-referrer'
  /** Extra elements for the head (module preloads) and the end of the body (scripts). */
  head?: Html | null
  scripts?: Html | null
}

export function renderDocument(page: PayerDocument): string {
  const document = html`<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="${page.referrer}">
<title>${page.title} · Tollgate</title>
<link rel="icon" href="/icon.svg" type="image/svg+xml">
${page.assets.stylesheets.map((file) => html`<link rel="stylesheet" href="${assetsPath}${file}">\n`)}${page.head ?? null}</head>
<body><div class="checkout-page">
<header class="checkout-header"><a href="/" class="brand">Tollgate</a><span class="muted small">${page.context}</span></header>
<main class="checkout-main">${page.main}</main>
<footer class="checkout-footer muted small">${page.footer}</footer>
</div>
${page.scripts ?? null}</body></html>`
  return `<!DOCTYPE html>\n${document.value}\n`
}

/** Headers every payer page carries: its CSP, no framing, no sniffing, never cached. */
export function payerPageHeaders(policy: string, referrer: PayerDocument['referrer']): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': policy,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': referrer,
    'cache-control': 'no-store',
  }
}
