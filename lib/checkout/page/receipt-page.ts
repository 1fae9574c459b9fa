// The receipt page, /receipts/{id}, written on the server as plain HTML with no script at all:
// the unguessable payment id is the key, and everything shown is escaped text.
import { formatTime, formatTokenAmount, formatUsd } from '@/lib/checkout/format'
import type { ReceiptView } from '@/lib/checkout/load-receipt'
import type { AssetsManifest } from './assets'
import { renderDocument } from './document'
import { html } from './html'

const keepAddress = 'Keep this page’s address: it is the only key to this receipt.'

export function renderReceiptPage(receipt: ReceiptView | null, assets: AssetsManifest): string {
  if (!receipt)
    return renderDocument({
      title: 'Receipt not found',
      context: 'Receipt',
      referrer: 'no-referrer',
      assets,
      footer: keepAddress,
      main: html`<div class="checkout-single"><section class="checkout-panel" aria-labelledby="receipt-missing">
<h1 id="receipt-missing" class="checkout-title">Receipt not found</h1>
<p>No receipt has this address. Check that you copied the whole link.</p>
</section></div>`,
    })

  const tokenAmount = receipt.token ? `${formatTokenAmount(receipt.amount, receipt.token.decimals)} ${receipt.token.symbol}` : null
  const row = (label: string, value: ReturnType<typeof html> | string, testId?: string) =>
    html`<div class="terms-row"><dt>${label}</dt><dd${testId ? html` data-testid="${testId}"` : null}>${value}</dd></div>`
  const refunded = receipt.status === 'refunded'
  return renderDocument({
    title: 'Receipt',
    context: 'Receipt',
    referrer: 'no-referrer',
    assets,
    footer: keepAddress,
    main: html`<div class="checkout-single"><section class="checkout-panel" aria-labelledby="receipt-title">
<p class="pill${refunded ? '' : ' pill-ok'}">${refunded ? 'Refunded' : 'Paid'}</p>
<h1 id="receipt-title" class="checkout-title">${receipt.title ?? 'Payment receipt'}</h1>
<p class="price" data-testid="receipt-price">${formatUsd(receipt.amountUsd)}</p>
<dl class="terms" data-testid="receipt">
${tokenAmount ? row('Amount', tokenAmount, 'receipt-amount') : null}
${row('Method', receipt.methodLabel, 'receipt-method')}
${row(
  receipt.method === 'evm' ? 'Transaction' : 'Reference',
  html`<code class="mono-wrap" data-testid="receipt-reference">${receipt.reference}</code>${receipt.explorerUrl ? html` <a href="${receipt.explorerUrl}" target="_blank" rel="noopener noreferrer">View on explorer</a>` : null}`,
)}
${receipt.payer ? row('Paid from', html`<code class="mono-wrap">${receipt.payer}</code>`) : null}
${row('Time', formatTime(receipt.paidAt), 'receipt-time')}
${row('Receipt ID', html`<code class="mono-wrap">${receipt.id}</code>`)}
</dl>
${receipt.linkPath ? html`<p><a class="button secondary" href="${receipt.linkPath}" data-testid="receipt-resource-link">Open what you paid for</a></p>` : null}
</section></div>`,
  })
}
