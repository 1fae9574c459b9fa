// After payment: the resource (text shown as text, images shown, files downloaded under their real
// name, redirect links followed) and the receipt the server returned.
import { useEffect, useMemo, useRef, useState } from 'react'
import { formatTime, formatTokenAmount, formatUsd } from '@/lib/checkout/format'
import type { OpenCheckout } from '@/lib/checkout/load-checkout'
import type { EvmOffer } from '@/lib/checkout/offers'
import type { PaidResource, PaidResult } from '@/lib/checkout/paid-response'

export type PaymentResultProps = { result: PaidResult; checkout: OpenCheckout; offer: EvmOffer | null }

export function PaymentResult({ result, checkout, offer }: PaymentResultProps) {
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => heading.current?.focus(), [])
  const { receipt } = result
  const evm = checkout.evm
  const amount =
    receipt?.method === 'evm' && offer && evm
      ? `${formatTokenAmount(offer.amount, offer.decimals)} ${evm.token.symbol}`
      : checkout.link
        ? formatUsd(checkout.link.priceUsd)
        : null
  const explorer =
    receipt?.method === 'evm' && evm?.chain.explorerUrl && receipt.chainId === evm.chain.id
      ? `${evm.chain.explorerUrl}/tx/${receipt.reference}`
      : null
  const access = checkout.link?.access

  return (
    <>
      <section className="checkout-panel result" aria-labelledby="result-title">
        <p className="pill pill-ok">{receipt ? 'Paid' : 'Unlocked'}</p>
        <h2 id="result-title" ref={heading} tabIndex={-1} className="panel-title">
          {receipt ? 'Payment complete' : 'You already have access'}
        </h2>
        <p className="muted small">
          {receipt
            ? access?.kind === 'window'
              ? 'This browser can open the link again without paying for the access window below.'
              : 'Keep the receipt link if you need to come back to this payment.'
            : 'An earlier payment from this browser unlocked it.'}
        </p>
        <Resource resource={result.resource} />
      </section>

      {receipt && (
        <section className="checkout-panel" aria-labelledby="receipt-title">
          <h2 id="receipt-title" className="panel-title">
            Receipt
          </h2>
          <dl className="terms" data-testid="receipt">
            {amount && (
              <div className="terms-row">
                <dt>Amount</dt>
                <dd data-testid="receipt-amount">{amount}</dd>
              </div>
            )}
            <div className="terms-row">
              <dt>Method</dt>
              <dd>
                {receipt.method === 'evm'
                  ? `${evm?.token.symbol ?? 'Token'} on ${evm?.chain.name ?? `chain ${receipt.chainId}`}`
                  : receipt.method === 'stripe'
                    ? 'Card'
                    : receipt.method}
              </dd>
            </div>
            <div className="terms-row">
              <dt>{receipt.method === 'evm' ? 'Transaction' : 'Reference'}</dt>
              <dd>
                <code className="mono-wrap" data-testid="receipt-reference">
                  {receipt.reference}
                </code>
                {explorer && (
                  <>
                    {' '}
                    <a href={explorer} target="_blank" rel="noopener noreferrer">
                      View on explorer
                    </a>
                  </>
                )}
              </dd>
            </div>
            <div className="terms-row">
              <dt>Time</dt>
              <dd>{formatTime(receipt.timestamp)}</dd>
            </div>
            {access?.kind === 'window' && (
              <div className="terms-row">
                <dt>Access</dt>
                <dd>Until {formatTime(new Date(Date.parse(receipt.timestamp) + access.minutes * 60_000).toISOString())}</dd>
              </div>
            )}
          </dl>
          {result.receiptPath && (
            <p>
              <a className="button secondary" href={result.receiptPath} data-testid="receipt-link">
                View receipt page
              </a>
            </p>
          )}
        </section>
      )}
    </>
  )
}

function Resource({ resource }: { resource: PaidResource }) {
  const blob = resource.kind === 'file' || resource.kind === 'image' ? resource.blob : null
  const url = useMemo(() => (blob ? URL.createObjectURL(blob) : null), [blob])
  useEffect(
    () => () => {
      if (url) URL.revokeObjectURL(url)
    },
    [url],
  )
  const downloaded = useRef(false)
  const download = useRef<HTMLAnchorElement>(null)

  useEffect(() => {
    // Start the download once, as a normal link click would (the name comes from Content-Disposition).
    if (resource.kind === 'file' && url && !downloaded.current) {
      downloaded.current = true
      download.current?.click()
    }
  }, [resource.kind, url])

  switch (resource.kind) {
    case 'json':
    case 'text':
      return (
        <figure className="resource">
          <figcaption className="muted small">{resource.kind === 'json' ? 'JSON' : 'Text'}</figcaption>
          <pre data-testid="resource-text" tabIndex={0}>
            {resource.text}
          </pre>
        </figure>
      )
    case 'image':
      return (
        <figure className="resource">
          {/* eslint-disable-next-line @next/next/no-img-element -- a blob: URL of the paid bytes */}
          <img src={url ?? undefined} alt="The image you paid for" className="resource-image" data-testid="resource-image" />
        </figure>
      )
    case 'file':
      return (
        <div className="resource resource-file">
          <p>
            Your download of <strong data-testid="resource-file-name">{resource.name}</strong> has started.
          </p>
          <a ref={download} className="button" href={url ?? undefined} download={resource.name} data-testid="resource-download">
            Download again
          </a>
        </div>
      )
    case 'redirect':
      return <Redirect url={resource.url} />
  }
}

function Redirect({ url }: { url: string }) {
  const [seconds, setSeconds] = useState(5)
  const [stay, setStay] = useState(false)
  useEffect(() => {
    if (stay) return
    if (seconds <= 0) {
      window.location.assign(url)
      return
    }
    const timer = setTimeout(() => setSeconds((s) => s - 1), 1000)
    return () => clearTimeout(timer)
  }, [seconds, stay, url])
  return (
    <div className="resource">
      <p>Your link is ready:</p>
      <p>
        <a className="button" href={url} rel="noopener noreferrer" data-testid="resource-redirect">
          Continue to {new URL(url).host}
        </a>
      </p>
      {!stay && (
        <p className="muted small" role="status">
          Opening it in {seconds} s.{' '}
          <button type="button" className="link-button" onClick={() => setStay(true)}>
            Stay here
          </button>
        </p>
      )}
    </div>
  )
}
