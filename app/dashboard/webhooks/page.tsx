import type { Metadata } from 'next'
import Link from 'next/link'
import { ActionButton } from '@/components/dashboard/ActionButton'
import { DeliveriesTable } from '@/components/dashboard/DeliveriesTable'
import { EmptyState } from '@/components/dashboard/EmptyState'
import { PageHeader } from '@/components/dashboard/PageHeader'
import { WebhookSettingsForm } from '@/components/dashboard/WebhookSettingsForm'
import { getAuthRuntime, requireMerchant } from '@/lib/auth/request'
import * as Webhooks from '@/lib/webhooks'

export const metadata: Metadata = { title: 'Webhooks' }

export default async function WebhooksPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const merchant = await requireMerchant('/dashboard/webhooks')
  const { db } = await getAuthRuntime()
  const requested = Number((await searchParams).page) || 1
  const [settings, log] = await Promise.all([
    Webhooks.getWebhookSettings(db, merchant.id),
    Webhooks.listDeliveries(db, merchant.id, { page: requested }),
  ])

  return (
    <>
      <PageHeader title="Webhooks" description="Get told about every payment and refund, signed so you know it came from Tollgate." />
      <section className="panel" aria-labelledby="endpoint-title">
        <div className="panel-head">
          <h2 id="endpoint-title">Endpoint</h2>
          {settings.secret ? (
            <ActionButton
              url="/api/dashboard/webhook/secret"
              label="Rotate secret"
              pendingLabel="Rotating…"
              small
              confirm="Replace the signing secret? Signatures made with the old one stop verifying immediately."
            />
          ) : null}
        </div>
        <WebhookSettingsForm url={settings.url} secret={settings.secret} />
        <details style={{ marginTop: 14 }}>
          <summary style={{ cursor: 'pointer', fontWeight: 600, fontSize: '0.92rem' }}>How to verify a delivery</summary>
          <p className="muted" style={{ fontSize: '0.9rem' }}>
            Each POST carries <code>Tollgate-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</code>, where the hex is HMAC-SHA256 with your
            signing secret over <code>&lt;t&gt;.&lt;raw request body&gt;</code>. Recompute it over the raw bytes, compare in constant time,
            and refuse timestamps older than five minutes. Deduplicate by <code>Tollgate-Event-Id</code>: a retried or resent event keeps
            its id. Answer 2xx quickly; anything else is retried with exponential backoff.
          </p>
        </details>
      </section>
      <section aria-labelledby="log-title">
        <div className="panel-head">
          <h2 id="log-title" style={{ fontSize: '1.02rem', margin: 0 }}>
            Delivery log
          </h2>
        </div>
        {log.total === 0 ? (
          <div className="panel">
            <EmptyState icon="↯" title="No deliveries yet">
              {settings.url
                ? 'Deliveries appear here when a payment succeeds or is refunded.'
                : 'Set an endpoint above; each payment then sends an event.'}
            </EmptyState>
          </div>
        ) : (
          <>
            <DeliveriesTable deliveries={log.deliveries} />
            {log.pageCount > 1 ? (
              <nav className="pager" aria-label="Pages">
                <span>
                  Page {log.page} of {log.pageCount}
                </span>
                <span className="actions">
                  {log.page > 1 ? (
                    <Link className="btn small" href={`/dashboard/webhooks?page=${log.page - 1}`}>
                      ← Newer
                    </Link>
                  ) : null}
                  {log.page < log.pageCount ? (
                    <Link className="btn small" href={`/dashboard/webhooks?page=${log.page + 1}`}>
                      Older →
                    </Link>
                  ) : null}
                </span>
              </nav>
            ) : null}
          </>
        )}
      </section>
    </>
  )
}
