import type { Metadata } from 'next'
import type { ReactNode } from 'react'
import { Shell } from '@/components/dashboard/Shell'
import { currentSession } from '@/lib/auth/request'
import '@/components/dashboard/dashboard.css'

export const dynamic = 'force-dynamic'

export const metadata: Metadata = { title: { default: 'Dashboard', template: '%s · Tollgate dashboard' }, robots: { index: false } }

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const session = await currentSession()
  // Without a session every page redirects to sign-in itself (it knows its own path to return to).
  if (!session) return <>{children}</>
  return <Shell address={session.merchant.address}>{children}</Shell>
}
