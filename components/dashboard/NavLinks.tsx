'use client'
import Link from 'next/link'
import { usePathname } from 'next/navigation'

const sections = [
  { href: '/dashboard', label: 'Overview', exact: true },
  { href: '/dashboard/links', label: 'Links' },
  { href: '/dashboard/payments', label: 'Payments' },
  { href: '/dashboard/webhooks', label: 'Webhooks' },
]

export function NavLinks() {
  const pathname = usePathname()
  return (
    <nav className="dash-nav" aria-label="Dashboard">
      {sections.map((s) => {
        const current = s.exact ? pathname === s.href : pathname.startsWith(s.href)
        return (
          <Link key={s.href} href={s.href} aria-current={current ? 'page' : undefined}>
            {s.label}
          </Link>
        )
      })}
    </nav>
  )
}
