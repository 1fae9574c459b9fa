import type { Metadata } from 'next'
import Link from 'next/link'
import { Suspense } from 'react'
import { EmptyState } from '@/components/dashboard/EmptyState'
import { PageHeader } from '@/components/dashboard/PageHeader'
import { PaymentsFilters } from '@/components/dashboard/PaymentsFilters'
import { PaymentsTable } from '@/components/dashboard/PaymentsTable'
import { PanelSkeleton } from '@/components/dashboard/Skeletons'
import { getAuthRuntime, requireMerchant } from '@/lib/auth/request'
import * as Links from '@/lib/links'
import * as Payments from '@/lib/payments'

export const metadata: Metadata = { title: 'Payments' }

export default async function PaymentsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams
  const filters = Payments.parseFilters(params)
  const query = Payments.toSearchParams(filters).toString()
  const merchant = await requireMerchant(query ? `/dashboard/payments?${query}` : '/dashboard/payments')
  const { db } = await getAuthRuntime()
  const links = await Links.listLinks(db, merchant.id)
  const page = Payments.parsePage(params)
  const exportHref = `/api/dashboard/payments/export?${Payments.toSearchParams(filters)}`

  return (
    <>
      <PageHeader
        title="Payments"
        description="Every payment across your links, newest first."
        actions={
          <a className="btn" href={exportHref} download data-testid="export-csv">
            Export CSV
          </a>
        }
      />
      <PaymentsFilters filters={filters} links={links.map((l) => ({ id: l.id, title: l.title }))} />
      <Suspense key={`${Payments.toSearchParams(filters)}|${page}`} fallback={<PanelSkeleton label="Loading payments" />}>
        <PaymentsResults merchantId={merchant.id} filters={filters} page={page} />
      </Suspense>
    </>
  )
}

async function PaymentsResults({
  merchantId,
  filters,
  page: requested,
}: {
  merchantId: string
  filters: Payments.PaymentFilters
  page: number
}) {
  const { db } = await getAuthRuntime()
  const page = await Payments.listPayments(db, merchantId, filters, { page: requested })
  const filtered = Object.keys(filters).length > 0
  const pageHref = (n: number) => `/dashboard/payments?${Payments.toSearchParams(filters, { page: String(n) })}`
  const first = (page.page - 1) * page.pageSize + 1
  return (
    <>
      {page.total === 0 ? (
        <div className="panel">
          {filtered ? (
            <EmptyState
              icon="⌕"
              title="No payments match these filters"
              action={
                <Link className="btn" href="/dashboard/payments">
                  Clear filters
                </Link>
              }
            />
          ) : (
            <EmptyState
              icon="◎"
              title="No payments yet"
              action={
                <Link className="btn primary" href="/dashboard/links">
                  Share a link
                </Link>
              }
            >
              Payments appear here the moment they settle, whichever rail and protocol the payer used.
            </EmptyState>
          )}
        </div>
      ) : (
        <>
          <PaymentsTable payments={page.payments} />
          <nav className="pager" aria-label="Pages">
            <span>
              {first}–{first + page.payments.length - 1} of {page.total}
            </span>
            <span className="actions">
              {page.page > 1 ? (
                <Link className="btn small" href={pageHref(page.page - 1)} rel="prev">
                  ← Previous
                </Link>
              ) : null}
              <span>
                Page {page.page} of {page.pageCount}
              </span>
              {page.page < page.pageCount ? (
                <Link className="btn small" href={pageHref(page.page + 1)} rel="next">
                  Next →
                </Link>
              ) : null}
            </span>
          </nav>
        </>
      )}
    </>
  )
}
