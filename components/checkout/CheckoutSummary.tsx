// What is being bought, from whom, for how much and for how long. Server-rendered; every
// merchant-authored string is a React text node (escaped), never HTML and never script.
import { formatBytes, formatMinutes, formatTime, formatUsd, shortHex } from '@/lib/checkout/format'
import type { CheckoutLink } from '@/lib/checkout/load-checkout'

export function CheckoutSummary({ link }: { link: CheckoutLink }) {
  const resource = link.resource
  return (
    <section className="checkout-panel summary" aria-labelledby="checkout-title">
      <p className="muted small summary-seller">
        Sold by {link.merchantName ? <span data-testid="merchant-name">{link.merchantName}</span> : null}
        {link.merchantName ? ' · ' : ''}
        <code title={link.recipient}>{shortHex(link.recipient)}</code>
      </p>
      <h1 id="checkout-title" className="checkout-title" data-testid="checkout-title">{link.title}</h1>
      {link.description && <p className="summary-description" data-testid="checkout-description">{link.description}</p>}
      <p className="price" data-testid="checkout-price">{formatUsd(link.priceUsd)}</p>
      <ul className="facts">
        <li>{describeResource(resource)}</li>
        <li>{link.access.kind === 'window' ? `Access for ${formatMinutes(link.access.minutes)} after payment` : 'One-time access: the paid response is delivered once'}</li>
        {link.expiresAt && <li>Offer ends {formatTime(link.expiresAt)}</li>}
      </ul>
    </section>
  )
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
  }
}
