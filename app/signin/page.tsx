import type { Metadata } from 'next'
import Link from 'next/link'
import { redirect } from 'next/navigation'
import { SignIn } from '@/components/dashboard/SignIn'
import { currentSession, getAuthRuntime } from '@/lib/auth/request'
import { safeReturnPath } from '@/lib/auth/return-path'
import { demoMerchantAddress } from '@/lib/demo/demo-accounts'
import { isDemoMode } from '@/lib/demo/demo-mode'
import '@/components/dashboard/dashboard.css'

export const metadata: Metadata = { title: 'Sign in', robots: { index: false } }

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = (await searchParams).next
  const { config } = await getAuthRuntime()
  const next = safeReturnPath(Array.isArray(raw) ? raw[0] : raw, config.publicUrl.origin)
  if (await currentSession()) redirect(next)
  return (
    <main className="signin">
      <div className="signin-card">
        <Link href="/" className="dash-brand">
          Tollgate
        </Link>
        <h1>Sign in to your dashboard</h1>
        <p>Connect the wallet you get paid with and sign a message. It proves the address is yours: no transaction, no gas.</p>
        <SignIn next={next} demoMerchant={isDemoMode() ? demoMerchantAddress : null} />
        <p className="fine">Your first sign-in creates your merchant account. Sessions last a week; sign out any time.</p>
      </div>
    </main>
  )
}
