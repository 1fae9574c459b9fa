// Merchant bytes on Tollgate's origin are inert: every delivery is sandboxed by its CSP (no script, no
// same-origin access, nothing loaded), never sniffed, and any type a browser could run is an attachment.
// From an upstream only headers that describe the bytes pass; cookies, CSP, CORS, Refresh, Link,
// Location and anything else the upstream says are dropped.
import { contentDisposition } from '@/lib/links/content-disposition'
import { normalizeContentType } from '@/lib/store/files'
import { contentTypeEssence, isPassive } from './passive-types'

export const contentSecurityPolicy = "sandbox; default-src 'none'"

const passedUpstreamHeaders = ['content-encoding', 'content-language', 'etag', 'last-modified', 'retry-after']

// A download of an active type keeps an extension that says what it is.
const extensions: Record<string, string> = {
  'text/html': '.html',
  'application/xhtml+xml': '.xhtml',
  'image/svg+xml': '.svg',
  'text/xml': '.xml',
  'application/xml': '.xml',
  'text/javascript': '.js',
  'application/javascript': '.js',
}

export type InertHeadersInput = {
  /** As the merchant or the upstream gave it; missing or malformed is application/octet-stream. */
  contentType: string | null
  /** The download's name, without an extension for proxied answers (one is added from the type). */
  fileName: string
  /** Always an attachment (stored files), whatever the type. */
  attachment?: boolean
  /** An upstream's headers: only those describing the bytes are kept. */
  upstream?: Headers
}

export function inertHeaders(input: InertHeadersInput): Headers {
  const headers = new Headers()
  if (input.upstream)
    for (const name of passedUpstreamHeaders) {
      const value = input.upstream.get(name)
      if (value !== null) headers.set(name, value)
    }
  const contentType = normalizeContentType(input.contentType)
  headers.set('content-type', contentType)
  headers.set('x-content-type-options', 'nosniff')
  headers.set('content-security-policy', contentSecurityPolicy)
  if (input.attachment || !isPassive(contentType)) {
    const extension = input.attachment ? '' : (extensions[contentTypeEssence(contentType) ?? ''] ?? '')
    headers.set('content-disposition', contentDisposition(`${input.fileName}${extension}`))
  }
  return headers
}
