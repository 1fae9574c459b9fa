import type { Metadata } from 'next'
import { notFound } from 'next/navigation'
import { LinkEditor } from '@/components/dashboard/LinkEditor'
import { PageHeader } from '@/components/dashboard/PageHeader'
import { getAuthRuntime, requireMerchant } from '@/lib/auth/request'
import * as Links from '@/lib/links'
import { editorData } from '../../editor-data'

export const metadata: Metadata = { title: 'Edit link' }

export default async function EditLinkPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  const merchant = await requireMerchant(`/dashboard/links/${encodeURIComponent(id)}/edit`)
  const { db } = await getAuthRuntime()
  const link = await Links.getLink(db, merchant.id, id).catch((error) => {
    if (error instanceof Links.NotFoundError) notFound()
    throw error
  })
  const data = await editorData(db, merchant.id)
  return (
    <>
      <PageHeader title={`Edit “${link.title}”`} back={{ href: `/dashboard/links/${link.id}`, label: link.title }} />
      <LinkEditor
        link={{
          id: link.id,
          slug: link.slug,
          title: link.title,
          description: link.description,
          priceUsd: link.priceUsd,
          rails: link.rails,
          session: link.session,
          recipient: link.recipient,
          resource: link.resource,
          accessPolicy: link.accessPolicy,
          maxPayments: link.maxPayments,
          expiresAt: link.expiresAt?.toISOString() ?? null,
          active: link.active,
          mcpTool: link.mcpTool,
        }}
        merchantAddress={merchant.address}
        {...data}
      />
    </>
  )
}
