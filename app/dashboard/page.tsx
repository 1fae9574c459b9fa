import type { Metadata } from 'next'
import Link from 'next/link'
import { Suspense } from 'react'
import { PanelSkeleton, StatsSkeleton } from '@/components/dashboard/Skeletons'
import { Stat } from '@/components/dashboard/Stat'
import { EmptyState } from '@/components/dashboard/EmptyState'
import { PageHeader } from '@/components/dashboard/PageHeader'
import { PaymentsTable } from '@/components/dashboard/PaymentsTable'
import { RevenueChart } from '@/components/dashboard/RevenueChart'
import { SplitBars } from '@/components/dashboard/SplitBars'
import { ChannelsTable } from '@/components/dashboard/ChannelsTable'
import { addUsd, protocolLabel, railLabel, usd } from '@/components/dashboard/format'
import { getAuthRuntime, requireMerchant } from '@/lib/auth/request'
import * as Channels from '@/lib/channels'
import * as Links from '@/lib/links'
import * as Payments from '@/lib/payments'

export const metadata: Metadata = { title: 'Overview' }

const ranges = [7, 30, 90] as const

export default async function OverviewPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const merchant = await requireMerchant('/dashboard')
  const requested = Number((await searchParams).days)
  const days = ranges.includes(requested as (typeof ranges)[number]) ? requested : 30

  return (
    <>
      <PageHeader
        title="Overview"
        description={`Last ${days} days, UTC.`}
        actions={
          <>
            <nav className="actions" aria-label="Period">
              {ranges.map((r) => (
                <Link
                  key={r}
                  className={`btn small${r === days ? ' primary' : ''}`}
                  href={`/dashboard?days=${r}`}
                  aria-current={r === days ? 'page' : undefined}
                >
                  {r} days
                </Link>
              ))}
            </nav>
            <Link className="btn primary" href="/dashboard/links/new">
              New link
            </Link>
          </>
        }
      />
      <Suspense
        key={days}
        fallback={
          <>
            <StatsSkeleton />
            <PanelSkeleton label="Loading the overview" />
          </>
        }
      >
        <OverviewSections merchantId={merchant.id} days={days} />
      </Suspense>
    </>
  )
}

async function OverviewSections({ merchantId, days }: { merchantId: string; days: number }) {
  const { db } = await getAuthRuntime()
  const [overview, links, recent, sessions, channels] = await Promise.all([
    Payments.getOverview(db, merchantId, { days }),
    Links.listLinks(db, merchantId),
    Payments.listPayments(db, merchantId, {}, { pageSize: 5 }),
    Channels.channelRevenue(db, merchantId),
    Channels.listChannels(db, merchantId, { limit: 5 }),
  ])
  // Session channels earn what their vouchers paid for as it is spent, not per payment: counted all time.
  const allTimeUsd = addUsd(overview.allTimeRevenueUsd, sessions.spentUsd)
  return (
    <>
      {links.length === 0 ? (
        <div className="panel">
          <EmptyState
            icon="＋"
            title="Create your first payment link"
            action={
              <Link className="btn primary" href="/dashboard/links/new">
                New link
              </Link>
            }
          >
            Put a price on text, a file, a secret URL or an API. Agents pay it with MPP or x402; people get a checkout page.
          </EmptyState>
        </div>
      ) : null}
      <div className="stats">
        <Stat
          label="Revenue"
          value={usd(overview.revenueUsd)}
          hint={
            sessions.channels > 0
              ? `${usd(allTimeUsd)} all time, ${usd(sessions.spentUsd)} of it spent in session channels`
              : `${usd(allTimeUsd)} all time`
          }
          testId="stat-revenue"
        />
        <Stat
          label="Payments"
          value={overview.payments}
          hint={overview.refunds ? `${overview.refunds} refunded (${usd(overview.refundedUsd)})` : 'No refunds'}
          testId="stat-payments"
        />
        <Stat
          label="402s issued"
          value={overview.challenges}
          hint="Payment challenges, counted every few seconds"
          testId="stat-challenges"
        />
        <Stat
          label="Conversion"
          value={overview.conversion === null ? '—' : `${(overview.conversion * 100).toFixed(overview.conversion < 0.1 ? 1 : 0)}%`}
          hint="Payments per 402 issued"
          testId="stat-conversion"
        />
      </div>
      <div className="two-col">
        <section className="panel" aria-labelledby="revenue-title">
          <h2 id="revenue-title">Revenue per day</h2>
          <RevenueChart data={overview.byDay} />
        </section>
        <div>
          <section className="panel" aria-labelledby="rail-title">
            <h2 id="rail-title">By rail</h2>
            <SplitBars rows={overview.byRail} labels={railLabel} empty="No payments in this period." />
          </section>
          <section className="panel" aria-labelledby="protocol-title">
            <h2 id="protocol-title">By protocol</h2>
            <SplitBars rows={overview.byProtocol} labels={protocolLabel} empty="No payments in this period." />
          </section>
        </div>
      </div>
      {channels.length > 0 ? (
        <section aria-labelledby="channels-title">
          <div className="panel-head">
            <h2 id="channels-title" style={{ fontSize: '1.02rem', margin: 0 }}>
              Session channels
            </h2>
            <span className="muted" data-testid="sessions-summary">
              {sessions.channels} channels · {usd(sessions.spentUsd)} spent · {usd(sessions.settledUsd)} settled on chain
            </span>
          </div>
          <ChannelsTable channels={channels} />
        </section>
      ) : null}
      <section aria-labelledby="recent-title">
        <div className="panel-head">
          <h2 id="recent-title" style={{ fontSize: '1.02rem', margin: 0 }}>
            Recent payments
          </h2>
          <Link href="/dashboard/payments">All payments →</Link>
        </div>
        {recent.payments.length === 0 ? (
          <div className="panel">
            <EmptyState icon="◎" title="No payments yet">
              Share a link: payments appear here the moment they settle.
            </EmptyState>
          </div>
        ) : (
          <PaymentsTable payments={recent.payments} />
        )}
      </section>
    </>
  )
}
