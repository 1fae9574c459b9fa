import type { Metadata } from 'next'
import Link from 'next/link'
import { EmptyState } from '@/components/dashboard/EmptyState'
import { PageHeader } from '@/components/dashboard/PageHeader'
import { PaymentsFilters } from '@/components/dashboard/PaymentsFilters'
import { PaymentsTable } from '@/components/dashboard/PaymentsTable'
import { getAuthRuntime, requireMerchant } from '@/lib/auth/request'
import * as Links from '@/lib/links'
import * as Payments from '@/lib/payments'

export const metadata: Metadata = { title: 'Payments' }

export default async function PaymentsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams
  const filters = Payments.parseFilters(params)
  const merchant = await requireMerchant(`/dashboard/payments?${Payments.toSearchParams(filters)}`)
  const { db } = await getAuthRuntime()
  const [page, links] = await Promise.all([Payments.listPayments(db, merchant.id, filters, { page: Payments.parsePage(params) }), Links.listLinks(db, merchant.id)])
  const filtered = Object.keys(filters).length > 0
  const exportHref = `/api/dashboard/payments/export?${Payments.toSearchParams(filters)}`
  const pageHref = (n: number) => `/dashboard/payments?${Payments.toSearchParams(filters, { page: String(n) })}`
  const first = (page.page - 1) * page.pageSize + 1

  return (
    <>
      <PageHeader
        title="Payments"
        description="Every payment across your links, newest first."
        actions={
          <a className="btn" href={exportHref} download data-testid="export-csv" aria-disabled={page.total === 0}>
            Export CSV
          </a>
        }
      />
      <PaymentsFilters filters={filters} links={links.map((l) => ({ id: l.id, title: l.title }))} />
      {page.total === 0 ? (
        <div className="panel">
          {filtered ? (
            <EmptyState icon="⌕" title="No payments match these filters" action={<Link className="btn" href="/dashboard/payments">Clear filters</Link>} />
          ) : (
            <EmptyState icon="◎" title="No payments yet" action={<Link className="btn primary" href="/dashboard/links">Share a link</Link>}>
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
