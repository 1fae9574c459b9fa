import Link from 'next/link'
import type { ReactNode } from 'react'
import { SignOutButton } from './SignOutButton'
import { shortHex } from './format'
import { NavLinks } from './NavLinks'

/** The dashboard frame: brand, section navigation and the signed-in account. */
export function Shell({ address, children }: { address: string; children: ReactNode }) {
  return (
    <div className="dash">
      <header className="dash-top">
        <div className="dash-top-inner">
          <Link href="/dashboard" className="dash-brand">
            Tollgate<span>Dashboard</span>
          </Link>
          <NavLinks />
          <div className="dash-account">
            <span className="mono" title={address} data-testid="signed-in-address">
              {shortHex(address)}
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="dash-main">{children}</main>
    </div>
  )
}
