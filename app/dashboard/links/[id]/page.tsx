import type { Metadata } from 'next'
import Link from 'next/link'
import { notFound } from 'next/navigation'
import { ActionButton } from '@/components/dashboard/ActionButton'
import { ChannelsTable } from '@/components/dashboard/ChannelsTable'
import { LinkStatusBadge } from '@/components/dashboard/Badges'
import { EmptyState } from '@/components/dashboard/EmptyState'
import { PageHeader } from '@/components/dashboard/PageHeader'
import { PaymentsTable } from '@/components/dashboard/PaymentsTable'
import { SharePanel, type TokenDomain } from '@/components/dashboard/SharePanel'
import { Stat } from '@/components/dashboard/Stat'
import { addUsd, usd, when } from '@/components/dashboard/format'
import { getAuthRuntime, requireMerchant } from '@/lib/auth/request'
import * as Channels from '@/lib/channels'
import * as Links from '@/lib/links'
import * as Payments from '@/lib/payments'
import * as EvmRail from '@/lib/rails/evm'
import * as Files from '@/lib/store/files'
import type { ServiceResource } from '@/lib/store/schema'

export const metadata: Metadata = { title: 'Link' }

const resourceLabel = {
  inline: 'Text or JSON',
  file: 'File download',
  redirect: 'Secret URL',
  proxy: 'Proxied API',
  service: 'Paid API (per request)',
} as const

export default async function LinkPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  const merchant = await requireMerchant(`/dashboard/links/${encodeURIComponent(id)}`)
  const { db, config } = await getAuthRuntime()
  const all = await Links.listLinks(db, merchant.id)
  const link = all.find((l) => l.id === id)
  if (!link) notFound()
  const [recent, file, channels, sessions] = await Promise.all([
    Payments.listPayments(db, merchant.id, { linkId: link.id }, { pageSize: 10 }),
    link.resource.kind === 'file' ? Files.getFileInfoForMerchant(db, merchant.id, link.resource.fileId) : null,
    Channels.listChannels(db, merchant.id, { linkId: link.id, limit: 50 }),
    Channels.channelRevenue(db, merchant.id, { linkId: link.id }),
  ])
  // Revenue counts what session channels spent (service delivered, paid by vouchers), beside settled payments.
  const revenueUsd = addUsd(link.revenueUsd, sessions.spentUsd)
  const offered = [
    ...link.rails.map((r) => (r === 'evm' ? 'USDC' : 'Card')),
    ...(link.session ? [`Session per ${link.session.unitType}`] : []),
  ]
  const url = new URL(`/l/${link.slug}`, config.publicUrl).toString()
  const status = Links.linkAvailability(link, link.paymentsCount)

  return (
    <>
      <PageHeader
        back={{ href: '/dashboard/links', label: 'Links' }}
        title={
          <span style={{ display: 'inline-flex', gap: 10, alignItems: 'center', flexWrap: 'wrap' }}>
            {link.title} <LinkStatusBadge status={status} />
          </span>
        }
        description={link.description || undefined}
        actions={
          <>
            <Link className="btn" href={`/dashboard/links/${link.id}/edit`} data-testid="edit-link">
              Edit
            </Link>
            {link.active ? (
              <ActionButton
                url={`/api/dashboard/links/${link.id}`}
                method="PATCH"
                body={{ active: false }}
                label="Deactivate"
                pendingLabel="Deactivating…"
                testId="deactivate-link"
              />
            ) : (
              <ActionButton
                url={`/api/dashboard/links/${link.id}`}
                method="PATCH"
                body={{ active: true }}
                label="Reactivate"
                pendingLabel="Reactivating…"
                variant="primary"
                testId="reactivate-link"
              />
            )}
            {link.paymentsCount === 0 && recent.total === 0 ? (
              <ActionButton
                url={`/api/dashboard/links/${link.id}`}
                method="DELETE"
                label="Delete"
                pendingLabel="Deleting…"
                variant="danger"
                confirm="Delete this link? It has never been paid; this cannot be undone."
                redirectTo="/dashboard/links"
                testId="delete-link"
              />
            ) : null}
          </>
        }
      />
      <div className="stats">
        <Stat label="Price" value={usd(link.priceUsd)} hint={offered.join(' · ')} />
        <Stat label="Payments" value={link.paymentsCount} hint={link.maxPayments ? `of ${link.maxPayments} allowed` : 'No limit'} />
        <Stat
          label="Revenue"
          value={usd(revenueUsd)}
          hint={link.session ? `${usd(sessions.spentUsd)} spent in ${sessions.channels} channels` : undefined}
          testId="link-revenue"
        />
        <Stat
          label="Expires"
          value={link.expiresAt ? when(link.expiresAt).replace(' UTC', '') : 'Never'}
          hint={link.expiresAt ? 'UTC' : undefined}
        />
      </div>
      <SharePanel link={link} url={url} token={tokenDomain()} />
      <section className="panel" aria-labelledby="details-title">
        <h2 id="details-title">Details</h2>
        <dl className="kv">
          <dt>Sells</dt>
          <dd>
            {resourceLabel[link.resource.kind]}
            {link.resource.kind === 'file' ? (
              file ? (
                <>
                  {' · '}
                  <a href={`/api/dashboard/files/${file.id}`}>{file.name}</a>
                </>
              ) : (
                ' · file missing'
              )
            ) : null}
            {link.resource.kind === 'redirect' || link.resource.kind === 'proxy' ? (
              <span className="mono"> · {link.resource.url}</span>
            ) : null}
            {link.resource.kind === 'service' ? <span className="mono"> · {link.resource.upstreamUrl}</span> : null}
          </dd>
          {link.resource.kind === 'service' ? <ServiceDetails resource={link.resource} defaultPrice={link.priceUsd} /> : null}
          <dt>After paying</dt>
          <dd>{link.accessPolicy.kind === 'once' ? 'One access' : `Access for ${link.accessPolicy.minutes} minutes`}</dd>
          <dt>MCP tool</dt>
          <dd data-testid="link-mcp-tool">
            {link.mcpTool ? (
              <>
                <span className="mono">{link.mcpTool.name}</span> at{' '}
                <span className="mono">{new URL('/mcp', config.publicUrl).toString()}</span> (each call pays)
              </>
            ) : (
              'Not offered'
            )}
          </dd>
          <dt>Recipient</dt>
          <dd className="mono">{link.recipient}</dd>
          <dt>Created</dt>
          <dd>{when(link.createdAt)}</dd>
        </dl>
      </section>
      {link.session || channels.length > 0 ? (
        <section aria-labelledby="link-channels-title">
          <div className="panel-head">
            <h2 id="link-channels-title" style={{ fontSize: '1.02rem', margin: 0 }}>
              Session channels
            </h2>
            <span className="muted">
              {usd(sessions.spentUsd)} spent · {usd(sessions.settledUsd)} settled on chain
            </span>
          </div>
          {channels.length === 0 ? (
            <div className="panel">
              <EmptyState icon="⇄" title="No channels yet">
                Agents open a channel with one deposit, then pay each {link.session?.unitType ?? 'request'} with a signed voucher. Their
                channels appear here.
              </EmptyState>
            </div>
          ) : (
            <ChannelsTable channels={channels} />
          )}
        </section>
      ) : null}
      <section aria-labelledby="link-payments-title">
        <div className="panel-head">
          <h2 id="link-payments-title" style={{ fontSize: '1.02rem', margin: 0 }}>
            Payments
          </h2>
          {recent.total > 0 ? <Link href={`/dashboard/payments?link=${encodeURIComponent(link.id)}`}>All {recent.total} →</Link> : null}
        </div>
        {recent.payments.length === 0 ? (
          <div className="panel">
            <EmptyState icon="◎" title="No payments yet">
              Share the link above; payments appear here as soon as they settle.
            </EmptyState>
          </div>
        ) : (
          <PaymentsTable payments={recent.payments} />
        )}
      </section>
    </>
  )
}

function tokenDomain(): TokenDomain {
  try {
    const evm = EvmRail.loadEvmConfig()
    return { name: evm.tokenName, version: evm.tokenVersion }
  } catch {
    return null
  }
}

/** A service link's prices per route and its upstream settings, as the gateway applies them. */
function ServiceDetails({ resource, defaultPrice }: { resource: ServiceResource; defaultPrice: string }) {
  const { rules, jsonRpc, settle } = resource.pricing
  const price = (p: string) => (p === 'free' ? 'free' : usd(p))
  return (
    <>
      <dt>Prices</dt>
      <dd data-testid="service-prices">
        <ul className="plain-list">
          {rules.map((rule, index) => (
            <li key={index}>
              <span className="mono">
                {rule.method} {rule.path}
              </span>{' '}
              {price(rule.price)}
              {rule.settle === 'after-success' ? ' · after a successful answer' : ''}
            </li>
          ))}
          {jsonRpc
            ? Object.entries(jsonRpc.methods).map(([name, p]) => (
                <li key={name}>
                  <span className="mono">jsonrpc {name}</span> {price(p)}
                </li>
              ))
            : null}
          {jsonRpc?.default ? (
            <li>
              <span className="mono">jsonrpc *</span> {price(jsonRpc.default)}
            </li>
          ) : null}
          <li>Everything else {usd(defaultPrice)}</li>
        </ul>
      </dd>
      <dt>Settles</dt>
      <dd>{settle === 'after-success' ? 'After a successful answer' : 'Before the call'}</dd>
      <dt>Upstream key</dt>
      <dd>
        {resource.secretHeader ? (
          <span className="mono">
            {resource.secretHeader.name}: {resource.secretHeader.hint}
          </span>
        ) : (
          'None'
        )}
      </dd>
      <dt>Timeout</dt>
      <dd>{resource.timeoutSeconds} s until the answer starts</dd>
    </>
  )
}
