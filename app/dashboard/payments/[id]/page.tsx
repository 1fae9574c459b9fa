import type { Metadata } from 'next'
import Link from 'next/link'
import { notFound } from 'next/navigation'
import { ActionButton } from '@/components/dashboard/ActionButton'
import { PaymentStatusBadge } from '@/components/dashboard/Badges'
import { PageHeader } from '@/components/dashboard/PageHeader'
import { protocolLabel, railLabel, txUrl, usd, when } from '@/components/dashboard/format'
import { getAuthRuntime, requireMerchant } from '@/lib/auth/request'
import * as Payments from '@/lib/payments'

export const metadata: Metadata = { title: 'Payment' }

export default async function PaymentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  const merchant = await requireMerchant(`/dashboard/payments/${encodeURIComponent(id)}`)
  const { db } = await getAuthRuntime()
  const payment = await Payments.getPayment(db, merchant.id, id).catch((error) => {
    if (error instanceof Payments.PaymentNotFoundError) notFound()
    throw error
  })
  const receipt = payment.receipt as Record<string, unknown>
  const explorer = payment.method === 'evm' ? txUrl(receipt.chainId, payment.reference) : null
  const refundable = payment.method === 'stripe' && payment.status === 'succeeded'

  return (
    <>
      <PageHeader
        back={{ href: '/dashboard/payments', label: 'Payments' }}
        title={
          <span style={{ display: 'inline-flex', gap: 10, alignItems: 'center', flexWrap: 'wrap' }}>
            <span data-testid="payment-amount">{usd(payment.amountUsd)}</span> <PaymentStatusBadge status={payment.status} />
          </span>
        }
        description={
          payment.linkId ? (
            <>
              for <Link href={`/dashboard/links/${payment.linkId}`}>{payment.linkTitle ?? payment.linkId}</Link> · {when(payment.createdAt)}
            </>
          ) : (
            `${payment.resourceKey} · ${when(payment.createdAt)}`
          )
        }
        actions={
          refundable ? (
            <ActionButton
              url={`/api/dashboard/payments/${payment.id}/refund`}
              label="Refund"
              pendingLabel="Refunding…"
              variant="danger"
              confirm={`Refund ${usd(payment.amountUsd)} to the card? This cannot be undone.`}
              testId="refund"
            />
          ) : null
        }
      />
      <div className="two-col">
        <section className="panel" aria-labelledby="payment-title">
          <h2 id="payment-title">Payment</h2>
          <dl className="kv">
            <dt>Payment id</dt>
            <dd className="mono">{payment.id}</dd>
            <dt>Rail</dt>
            <dd>{railLabel[payment.method] ?? payment.method}</dd>
            <dt>Protocol</dt>
            <dd>{protocolLabel[payment.protocol] ?? payment.protocol}</dd>
            <dt>{payment.method === 'evm' ? 'Transaction' : 'PaymentIntent'}</dt>
            <dd className="mono" data-testid="payment-reference">
              {explorer ? (
                <a href={explorer} target="_blank" rel="noreferrer">
                  {payment.reference}
                </a>
              ) : (
                payment.reference
              )}
            </dd>
            <dt>Payer</dt>
            <dd className="mono" data-testid="payment-payer">
              {payment.payer ?? (payment.method === 'stripe' ? 'Card holder (kept by Stripe)' : '—')}
            </dd>
            <dt>Amount</dt>
            <dd>
              {usd(payment.amountUsd)}{' '}
              <span className="muted mono">
                ({payment.amount} base units of {payment.currency})
              </span>
            </dd>
            {payment.challengeId ? (
              <>
                <dt>Challenge</dt>
                <dd className="mono">{payment.challengeId}</dd>
              </>
            ) : null}
            <dt>Delivery</dt>
            <dd>
              {payment.delivery}
              {payment.deliveryError ? <span className="muted"> · {payment.deliveryError}</span> : null}
            </dd>
            {payment.refundedAt ? (
              <>
                <dt>Refunded</dt>
                <dd>{when(payment.refundedAt)}</dd>
              </>
            ) : null}
          </dl>
        </section>
        <section className="panel" aria-labelledby="receipt-title">
          <h2 id="receipt-title">Receipt</h2>
          <p className="muted panel-note">The receipt recorded when the payment settled.</p>
          <dl className="kv">
            {Object.entries(receipt).map(([key, value]) => (
              <div key={key} style={{ display: 'contents' }}>
                <dt>{key}</dt>
                <dd className="mono">{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
              </div>
            ))}
          </dl>
        </section>
      </div>
    </>
  )
}
