import type { Metadata } from 'next'
import { LinkEditor } from '@/components/dashboard/LinkEditor'
import { PageHeader } from '@/components/dashboard/PageHeader'
import { getAuthRuntime, requireMerchant } from '@/lib/auth/request'
import { editorData } from '../editor-data'

export const metadata: Metadata = { title: 'New link' }

export default async function NewLinkPage() {
  const merchant = await requireMerchant('/dashboard/links/new')
  const { db } = await getAuthRuntime()
  const data = await editorData(db, merchant.id)
  return (
    <>
      <PageHeader title="New payment link" back={{ href: '/dashboard/links', label: 'Links' }} />
      <LinkEditor link={null} merchantAddress={merchant.address} {...data} />
    </>
  )
}
