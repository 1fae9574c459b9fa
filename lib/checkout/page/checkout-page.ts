// The /pay document, written on the server as plain HTML: what is sold, by whom and for how much
// is readable before any script runs; the payment flow mounts over a placeholder of the same shape.
// Merchant text only ever passes through `html` (escaped text); the checkout travels as inert JSON.
import { formatBytes, formatMinutes, formatTime, formatUsd, shortHex } from '@/lib/checkout/format'
import type { Checkout, CheckoutLink, OpenCheckout, SessionCheckout } from '@/lib/checkout/load-checkout'
import { assetsPath, type AssetsManifest } from './assets'
import { renderDocument } from './document'
import { html, jsonScriptContent, type Html } from './html'
import { checkoutDataId, flowMountId } from './page-data'

export type CheckoutPageParameters = {
  checkout: Checkout
  /** The per-response CSP nonce every script and style element carries. */
  nonce: string
  assets: AssetsManifest
}

const unavailableReason = {
  inactive: 'The merchant has deactivated this link.',
  expired: 'This offer has ended.',
  'sold-out': 'This link has sold out.',
} as const

export function renderCheckoutPage({ checkout, nonce, assets }: CheckoutPageParameters): string {
  const open = checkout.status === 'open'
  return renderDocument({
    title: 'Checkout',
    context: 'Secure checkout',
    referrer: 'same-origin',
    assets,
    main: open ? openCheckout(checkout) : checkout.status === 'session-only' ? sessionCheckout(checkout) : closedCheckout(checkout),
    footer: 'Payments settle on chain before anything is delivered. Powered by Tollgate.',
    head: open
      ? html`${assets.preload.map((file) => html`<link rel="modulepreload" href="${assetsPath}${file}" nonce="${nonce}">\n`)}`
      : null,
    scripts: open
      ? html`<script type="application/json" id="${checkoutDataId}" nonce="${nonce}">${jsonScriptContent(checkout)}</script>
<script type="module" src="${assetsPath}${assets.script}" nonce="${nonce}"></script>`
      : null,
  })
}

function openCheckout(checkout: OpenCheckout): Html {
  return html`<div class="${checkout.link ? 'checkout-grid' : 'checkout-single'}">
${checkout.link ? html`<div class="checkout-aside">${summary(checkout.link)}</div>` : null}
<div class="checkout-flow" id="${flowMountId}">${flowPlaceholder()}</div>
</div>`
}

/** What the flow shows while it loads its offer, so mounting it does not move the page. */
function flowPlaceholder(): Html {
  const row = (label: string) =>
    html`<div class="terms-row"><dt>${label}</dt><dd><span class="skeleton" aria-hidden="true"></span></dd></div>`
  return html`<section class="checkout-panel" aria-labelledby="terms-title" aria-busy="true">
<h2 id="terms-title" class="panel-title">What you will sign</h2>
<dl class="terms">${['Requested by', 'Amount', 'Pay to', 'Token', 'Network'].map(row)}</dl>
</section>
<section class="checkout-panel" aria-labelledby="methods-title">
<h2 id="methods-title" class="panel-title">How would you like to pay?</h2>
<div class="method-choice"><button type="button" class="method-option" disabled><span class="method-name">Crypto wallet</span><span class="method-hint">Loading…</span></button></div>
<div class="method-panel"><noscript><p class="notice notice-error">This checkout needs JavaScript to talk to your wallet or to the card form. Enable it and reload the page.</p></noscript></div>
</section>`
}

function summary(link: CheckoutLink): Html {
  return html`<section class="checkout-panel summary" aria-labelledby="checkout-title">
<p class="muted small summary-seller">Sold by ${link.merchantName ? html`<span data-testid="merchant-name">${link.merchantName}</span> · ` : null}<code title="${link.recipient}">${shortHex(link.recipient)}</code></p>
<h1 id="checkout-title" class="checkout-title" data-testid="checkout-title">${link.title}</h1>
${link.description ? html`<p class="summary-description" data-testid="checkout-description">${link.description}</p>` : null}
<p class="price" data-testid="checkout-price">${formatUsd(link.priceUsd)}</p>
<ul class="facts">
<li>${describeResource(link.resource)}</li>
<li>${link.access.kind === 'window' ? `Access for ${formatMinutes(link.access.minutes)} after payment` : 'One-time access: the paid response is delivered once'}</li>
${link.expiresAt ? html`<li>Offer ends ${formatTime(link.expiresAt)}</li>` : null}
</ul>
</section>`
}

function describeResource(resource: CheckoutLink['resource']): string {
  switch (resource.kind) {
    case 'file':
      return `File: ${resource.name} (${formatBytes(resource.size)})`
    case 'inline':
      return resource.contentType === 'application/json' ? 'A JSON document, shown here after payment' : 'A text, shown here after payment'
    case 'redirect':
      return 'A link, opened after payment'
    case 'proxy':
      return 'A response from the merchant’s API, shown after payment'
    case 'service':
      return 'Calls to the merchant’s API, priced per request'
  }
}

/** A link paid per request by an agent over a payment channel: what it costs, and the command that pays it. */
function sessionCheckout(checkout: SessionCheckout): Html {
  const { link, url } = checkout
  const unit = link.session?.unitType === 'request' ? 'request' : (link.session?.unitType ?? 'request').replace(/_/g, ' ')
  const command = `PRIVATE_KEY=0x… RPC_URL=<the chain's RPC URL> \\\n  npx tsx scripts/pay-with-session.ts ${url} 5`
  return html`<div class="checkout-grid">
<div class="checkout-aside">${summary(link)}</div>
<div class="checkout-flow">
<section class="checkout-panel" aria-labelledby="session-title" data-testid="session-only">
<h2 id="session-title" class="panel-title">Paid per ${unit} by an agent</h2>
<p>This link costs <strong data-testid="session-price">${formatUsd(link.priceUsd)} per ${unit}</strong>, paid from a payment channel: the agent deposits once${link.session?.suggestedDepositUsd ? html` (suggested ${formatUsd(link.session.suggestedDepositUsd)})` : null} in an escrow, signs a voucher for each ${unit} instead of sending a transaction, and gets back whatever it did not spend when the channel closes.</p>
<p>There is nothing to pay in a browser. An MPP client that speaks <code>evm</code>/<code>session</code> pays it, for example Tollgate's own, from the project folder:</p>
<pre class="session-command"><code data-testid="session-command">${command}</code></pre>
</section>
</div>
</div>`
}

function closedCheckout(checkout: Exclude<Checkout, OpenCheckout | SessionCheckout>): Html {
  const title =
    checkout.status === 'unavailable' ? 'No longer available' : checkout.status === 'not-found' ? 'Link not found' : 'Nothing to pay here'
  const message =
    checkout.status === 'unavailable'
      ? unavailableReason[checkout.reason]
      : checkout.status === 'not-found'
        ? 'There is no payment link at this address. Check the link you were given.'
        : 'This checkout address does not name a page on this site.'
  return html`<section class="checkout-panel checkout-single" aria-labelledby="checkout-title">
<h1 id="checkout-title" class="checkout-title">${title}</h1>
${checkout.status === 'unavailable' ? html`<p class="muted" data-testid="checkout-title">${checkout.title}</p>` : null}
<p>${message}</p>
</section>`
}

/** The HTTP status of each checkout state: a browser and a crawler both learn what happened. */
export function checkoutStatus(checkout: Checkout): number {
  switch (checkout.status) {
    case 'open':
    case 'session-only':
      return 200
    case 'invalid':
      return 400
    case 'not-found':
      return 404
    case 'unavailable':
      return 410
  }
}
