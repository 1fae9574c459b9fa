// Everything needed to share a link: the URL, a QR code, and the exact commands an agent developer runs.
import type { Link } from '@/lib/store/links'
import { CopyButton } from '@/components/ui/CopyButton'
import { QrCode } from './QrCode'

export type TokenDomain = { name: string; version: string } | null

/** mppx.config.mjs signs for "USD Coin" version "2" unless TOKEN_NAME / TOKEN_VERSION say otherwise. */
export function mppxCommand(url: string, token: TokenDomain): string {
  const env = ['MPPX_PRIVATE_KEY=0x<payer private key>']
  if (token && token.name !== 'USD Coin') env.push(`TOKEN_NAME=${shellQuote(token.name)}`)
  if (token && token.version !== '2') env.push(`TOKEN_VERSION=${shellQuote(token.version)}`)
  return `${env.join(' ')} \\\n  npx mppx ${shellQuote(url)} -c mppx.config.mjs`
}

export function curlCommand(url: string): string {
  return `curl -i ${shellQuote(url)}`
}

export function SharePanel({ link, url, token }: { link: Link; url: string; token: TokenDomain }) {
  const evm = link.rails.includes('evm')
  const mppx = mppxCommand(url, token)
  const curl = curlCommand(url)
  return (
    <section className="panel" aria-labelledby="share-title" data-testid="share-panel">
      <div className="panel-head">
        <h2 id="share-title">Share</h2>
      </div>
      <div className="share">
        <div style={{ display: 'grid', gap: 16, minWidth: 0 }}>
          <div className="field">
            <label htmlFor="share-url">Payment link</label>
            <div className="copy-row">
              <input id="share-url" className="input" readOnly value={url} data-testid="share-url" />
              <CopyButton text={url} testId="copy-url" />
            </div>
            <span className="help">People who open it get a checkout page; programs get an HTTP 402 they can pay.</span>
          </div>
          {evm ? (
            <div className="field">
              <span>Pay from a terminal (mppx)</span>
              <div className="snippet">
                <pre data-testid="mppx-command">
                  <code>{mppx}</code>
                </pre>
                <CopyButton text={mppx} className="btn small" />
              </div>
              <span className="help">
                Run it in a checkout of Tollgate (it holds <code>mppx.config.mjs</code>); the key pays in USDC with an EIP-3009 signature.
              </span>
            </div>
          ) : (
            <p className="muted" style={{ margin: 0, fontSize: '0.9rem' }}>
              This link takes cards only: agents pay it with a Stripe Shared Payment Token (MPP <code>stripe/charge</code>).
            </p>
          )}
          <div className="field">
            <span>See the payment challenges (curl)</span>
            <div className="snippet">
              <pre data-testid="curl-command">
                <code>{curl}</code>
              </pre>
              <CopyButton text={curl} className="btn small" />
            </div>
            <span className="help">
              A <code>402</code> with <code>WWW-Authenticate: Payment</code> (MPP)
              {evm ? (
                <>
                  {' '}
                  and <code>PAYMENT-REQUIRED</code> (x402 v2)
                </>
              ) : null}
              .
            </span>
          </div>
        </div>
        <QrCode url={url} />
      </div>
    </section>
  )
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_:/.?=&%+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`
}
