// Browser-safe: what a paid (2xx) response holds, as the checkout shows it. Merchant bytes are
// never rendered as HTML: text is text, images are images, everything else is a download.
import { isPassive } from '@/lib/content/passive-types'
import { decodeReceipt } from './wire'

export type PaidResource =
  | { kind: 'json'; text: string }
  | { kind: 'text'; text: string }
  | { kind: 'image'; blob: Blob }
  | { kind: 'file'; blob: Blob; name: string }
  | { kind: 'redirect'; url: string }

export type PaidReceipt = { method: string; reference: string; timestamp: string; chainId: number | null }

export type PaidResult = {
  resource: PaidResource
  /** Null when an earlier payment's access grant unlocked the resource (no new receipt). */
  receipt: PaidReceipt | null
  /** `/receipts/{id}` from the `Link: <…>; rel="receipt"` header. */
  receiptPath: string | null
}

/** Text larger than this is offered as a download rather than shown. */
export const maxShownTextBytes = 512 * 1024

const shownImageTypes = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif'])

export async function readPaidResponse(response: Response, fallbackName = 'download'): Promise<PaidResult> {
  const headers = response.headers
  const contentType = (headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase()
  const disposition = headers.get('content-disposition')
  const blob = await response.blob()
  const typed = blob.type ? blob : new Blob([blob], { type: contentType })
  // A download's blob: URL lives on our origin: an active type (HTML, SVG…) opened from it would run here.
  const download = isPassive(contentType) ? typed : new Blob([blob], { type: 'application/octet-stream' })
  let resource: PaidResource
  const attachmentName = disposition && /^\s*attachment/i.test(disposition) ? (fileNameFromDisposition(disposition) ?? fallbackName) : null
  if (attachmentName !== null) resource = { kind: 'file', blob: download, name: attachmentName }
  else if (shownImageTypes.has(contentType)) resource = { kind: 'image', blob: typed }
  else if (isText(contentType) && blob.size <= maxShownTextBytes) {
    const text = await blob.text()
    const redirect = contentType === 'application/json' ? redirectTarget(text, headers.get('content-location')) : null
    resource = redirect
      ? { kind: 'redirect', url: redirect }
      : contentType.includes('json')
        ? { kind: 'json', text: prettyJson(text) }
        : { kind: 'text', text }
  } else resource = { kind: 'file', blob: download, name: fallbackName }
  return { resource, receipt: readReceipt(headers.get('payment-receipt')), receiptPath: receiptPath(headers.get('link')) }
}

/** RFC 6266: `filename*=UTF-8''…` wins over `filename="…"`; path separators are dropped. */
export function fileNameFromDisposition(disposition: string): string | null {
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;\s]+)/.exec(disposition)
  let name: string | null = null
  if (extended) {
    try {
      name = decodeURIComponent(extended[1]!)
    } catch {
      name = null
    }
  }
  if (name === null) {
    const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/.exec(disposition) ?? /filename\s*=\s*([^;\s]+)/.exec(disposition)
    name = quoted ? quoted[1]!.replace(/\\(.)/g, '$1') : null
  }
  const clean = name?.replace(/[/\\\u0000-\u001f\u007f]/g, '_').trim()
  return clean ? clean.slice(0, 200) : null
}

/** The path of the `rel="receipt"` link, when it is one of ours. */
export function receiptPath(link: string | null): string | null {
  if (!link) return null
  for (const part of link.split(',')) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part)
    if (match && /\brel\s*=\s*"?receipt"?/i.test(match[2]!) && /^\/receipts\/[A-Za-z0-9_-]{1,64}$/.test(match[1]!)) return match[1]!
  }
  return null
}

function readReceipt(header: string | null): PaidReceipt | null {
  if (!header) return null
  const receipt = decodeReceipt(header)
  return receipt && { method: receipt.method, reference: receipt.reference, timestamp: receipt.timestamp, chainId: receipt.chainId ?? null }
}

/** A redirect link delivers `{"url": …}` and names the same URL in Content-Location. */
function redirectTarget(text: string, contentLocation: string | null): string | null {
  try {
    const body = JSON.parse(text) as unknown
    if (typeof body !== 'object' || body === null || Object.keys(body).length !== 1) return null
    const url = (body as { url?: unknown }).url
    if (typeof url !== 'string' || url !== contentLocation || !URL.canParse(url)) return null
    const protocol = new URL(url).protocol
    return protocol === 'https:' || protocol === 'http:' ? url : null
  } catch {
    return null
  }
}

function isText(contentType: string): boolean {
  return contentType.startsWith('text/') && contentType !== 'text/html'
    ? true
    : contentType === 'application/json' || contentType.endsWith('+json')
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return text
  }
}
