// A payer's receipt, reachable later by its unguessable id (the id is the capability).
import type { Metadata } from 'next'
import { notFound } from 'next/navigation'
import { loadReceipt } from '@/lib/checkout/load-receipt'
import { formatTime, formatTokenAmount, formatUsd } from '@/lib/checkout/format'

export const dynamic = 'force-dynamic'

export const metadata: Metadata = {
  title: 'Receipt',
  robots: { index: false, follow: false },
  referrer: 'no-referrer',
}

type Props = { params: Promise<{ id: string }> }

export default async function ReceiptPage({ params }: Props) {
  const receipt = await loadReceipt((await params).id)
  if (!receipt) notFound()
  const tokenAmount = receipt.token ? `${formatTokenAmount(receipt.amount, receipt.token.decimals)} ${receipt.token.symbol}` : null

  return (
    <div className="checkout-page">
      <header className="checkout-header">
        {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- next/link would add its router code to this page's bundle */}
        <a href="/" className="brand">Tollgate</a>
        <span className="muted small">Receipt</span>
      </header>
      <main className="checkout-main">
        <div className="checkout-single">
          <section className="checkout-panel" aria-labelledby="receipt-title">
            <p className={`pill ${receipt.status === 'refunded' ? '' : 'pill-ok'}`}>{receipt.status === 'refunded' ? 'Refunded' : 'Paid'}</p>
            <h1 id="receipt-title" className="checkout-title">{receipt.title ?? 'Payment receipt'}</h1>
            <p className="price" data-testid="receipt-price">{formatUsd(receipt.amountUsd)}</p>
            <dl className="terms" data-testid="receipt">
              {tokenAmount && (
                <div className="terms-row">
                  <dt>Amount</dt>
                  <dd data-testid="receipt-amount">{tokenAmount}</dd>
                </div>
              )}
              <div className="terms-row">
                <dt>Method</dt>
                <dd data-testid="receipt-method">{receipt.methodLabel}</dd>
              </div>
              <div className="terms-row">
                <dt>{receipt.method === 'evm' ? 'Transaction' : 'Reference'}</dt>
                <dd>
                  <code className="mono-wrap" data-testid="receipt-reference">{receipt.reference}</code>
                  {receipt.explorerUrl && (
                    <>
                      {' '}
                      <a href={receipt.explorerUrl} target="_blank" rel="noopener noreferrer">View on explorer</a>
                    </>
                  )}
                </dd>
              </div>
              {receipt.payer && (
                <div className="terms-row">
                  <dt>Paid from</dt>
                  <dd><code className="mono-wrap">{receipt.payer}</code></dd>
                </div>
              )}
              <div className="terms-row">
                <dt>Time</dt>
                <dd data-testid="receipt-time">{formatTime(receipt.paidAt)}</dd>
              </div>
              <div className="terms-row">
                <dt>Receipt ID</dt>
                <dd><code className="mono-wrap">{receipt.id}</code></dd>
              </div>
            </dl>
            {receipt.linkPath && (
              <p>
                <a className="button secondary" href={receipt.linkPath} data-testid="receipt-resource-link">Open what you paid for</a>
              </p>
            )}
          </section>
        </div>
      </main>
      <footer className="checkout-footer muted small">Keep this page&apos;s address: it is the only key to this receipt.</footer>
    </div>
  )
}
