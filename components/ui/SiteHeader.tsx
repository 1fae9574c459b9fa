import Link from 'next/link'

export function SiteHeader() {
  return (
    <header className="header">
      <Link href="/" className="brand">
        Tollgate
      </Link>
      <nav className="nav" aria-label="Main">
        <Link href="/l/demo">Demo link</Link>
        <Link href="/dashboard">Dashboard</Link>
        <a href="/openapi.json">API</a>
      </nav>
    </header>
  )
}
