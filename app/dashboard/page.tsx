import type { Metadata } from 'next'
import { SiteHeader } from '@/components/ui/SiteHeader'

export const metadata: Metadata = { title: 'Dashboard' }

export default function DashboardPage() {
  return (
    <>
      <SiteHeader />
      <main className="container">
        <h1>Merchant dashboard</h1>
        <div className="card">
          <p>
            Sign-in with a wallet, link management and revenue reports are on their way. Until then, links are created by
            the demo seed and through the server-side functions in <code>lib/links</code>.
          </p>
        </div>
      </main>
    </>
  )
}
