import Link from 'next/link'
import { connection } from 'next/server'
import { TerminalCommands } from '@/components/home/TerminalCommands'
import { SiteHeader } from '@/components/ui/SiteHeader'
import { demoTerminalCommandsFromEnv } from '@/lib/demo/terminal-commands'

export default async function HomePage() {
  // Rendered per request: the demo's commands name this run's URL and token, known only at start.
  await connection()
  const demoCommands = demoTerminalCommandsFromEnv()
  return (
    <>
      <SiteHeader />
      <main className="container">
        <section className="hero">
          <span className="pill">HTTP 402, done properly</span>
          <h1>Put a price on any URL.</h1>
          <p>
            Tollgate turns a link or an API route into something that can be paid for. Agents and programs get a machine-readable{' '}
            <code>402 Payment Required</code> and pay with MPP or x402 — no account, no API key. People get a checkout page and pay with a
            wallet or a card.
          </p>
          <p style={{ display: 'flex', gap: 12, flexWrap: 'wrap' }}>
            <Link className="button" href="/l/demo">
              Open the demo link
            </Link>
            <Link className="button secondary" href="/dashboard">
              Merchant dashboard
            </Link>
          </p>
        </section>

        <section className="grid" aria-label="How it works">
          <div className="card">
            <h2>For agents</h2>
            <p className="muted">
              One 402 carries <code>WWW-Authenticate: Payment</code> challenges (MPP) and a <code>PAYMENT-REQUIRED</code> header (x402 v2).
              Sign, retry, get the resource and a receipt.
            </p>
          </div>
          <div className="card">
            <h2>For people</h2>
            <p className="muted">Open the same link in a browser to get a checkout: pay USDC with a wallet signature, or a card.</p>
          </div>
          <div className="card">
            <h2>For merchants</h2>
            <p className="muted">Create links, wrap your own API routes in one line, and see payments and revenue in one place.</p>
          </div>
        </section>

        {demoCommands ? (
          <section className="card" style={{ marginTop: 16 }} aria-labelledby="terminal-title">
            <h2 id="terminal-title">Pay the demo link from a terminal</h2>
            <p className="muted">
              Run these from the project folder while <code>npm run demo</code> is running (they are the commands it printed). The key is
              anvil&apos;s public test account #1: never use it on a real chain.
            </p>
            <TerminalCommands commands={demoCommands} />
            <p className="muted">
              Then open the <Link href="/dashboard">merchant dashboard</Link> and sign in as the demo merchant (no wallet needed) to see the
              payments arrive.
            </p>
          </section>
        ) : (
          <section className="card" style={{ marginTop: 16 }}>
            <h2>Pay the demo link from a terminal</h2>
            <pre>
              <code>{'npx mppx http://127.0.0.1:3000/l/demo'}</code>
            </pre>
            <p className="muted">The README shows the exact command with a local test key, and how to do the same with an x402 client.</p>
          </section>
        )}
      </main>
    </>
  )
}
