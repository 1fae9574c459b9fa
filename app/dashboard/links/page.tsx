import type { Metadata } from 'next'
import Link from 'next/link'
import { EmptyState } from '@/components/dashboard/EmptyState'
import { LinksTable } from '@/components/dashboard/LinksTable'
import { PageHeader } from '@/components/dashboard/PageHeader'
import { getAuthRuntime, requireMerchant } from '@/lib/auth/request'
import * as Links from '@/lib/links'

export const metadata: Metadata = { title: 'Links' }

export default async function LinksPage() {
  const merchant = await requireMerchant('/dashboard/links')
  const { db } = await getAuthRuntime()
  const links = await Links.listLinks(db, merchant.id)
  return (
    <>
      <PageHeader
        title="Payment links"
        description="Each link puts a price on one thing. Share it with people or agents."
        actions={
          <Link className="btn primary" href="/dashboard/links/new" data-testid="new-link">
            New link
          </Link>
        }
      />
      {links.length === 0 ? (
        <div className="panel">
          <EmptyState
            icon="＋"
            title="No links yet"
            action={
              <Link className="btn primary" href="/dashboard/links/new">
                Create a link
              </Link>
            }
          >
            A link sells text, a file, a secret URL or access to an API, for USDC or by card.
          </EmptyState>
        </div>
      ) : (
        <LinksTable links={links} />
      )}
    </>
  )
}
