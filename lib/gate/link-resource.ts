// A payment link as something the gate can sell and deliver.
import { getAddress } from 'viem'
import { contentDisposition } from '@/lib/links/content-disposition'
import type { Db } from '@/lib/store/db'
import * as Files from '@/lib/store/files'
import * as Links from '@/lib/store/links'
import type { Link } from '@/lib/store/links'
import type { PricedResource } from './priced-resource'

/** `db` enables the sales-cap reservation of capped links (needed wherever a link is sold). */
export function linkResource(link: Link, publicUrl: URL, db?: Db): PricedResource {
  return {
    key: `link:${link.id}`,
    url: new URL(`/l/${link.slug}`, publicUrl).toString(),
    priceUsd: link.priceUsd,
    recipient: getAddress(link.recipient),
    rails: link.rails,
    title: link.title,
    ...(link.description ? { description: link.description } : {}),
    ...(link.resource.kind === 'inline' ? { mimeType: link.resource.contentType } : {}),
    linkId: link.id,
    merchantId: link.merchantId,
    accessPolicy: link.accessPolicy,
    ...(db && link.maxPayments !== null
      ? {
          reserveSale: async () => ((await Links.reserveSale(db, link.id)) ? () => Links.releaseSale(db, link.id) : null),
        }
      : {}),
  }
}

const PROXY_TIMEOUT_MS = 15_000
// Hop-by-hop and origin-specific headers never pass through the proxy.
const PROXY_DROP_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'set-cookie',
  'content-encoding',
  'content-length',
  'www-authenticate',
  'payment-receipt',
])

/** The paid-for bytes of a link. Throws (or answers 5xx) when the resource itself fails. */
export async function deliverLink(db: Db, link: Link): Promise<Response> {
  const resource = link.resource
  switch (resource.kind) {
    case 'inline':
      return new Response(resource.body, { headers: { 'content-type': `${resource.contentType}; charset=utf-8` } })
    case 'redirect':
      // The URL is what was bought: reveal it in the body (and Location for clients that follow).
      return Response.json({ url: resource.url }, { headers: { 'content-location': resource.url } })
    case 'file': {
      const file = await Files.getFile(db, resource.fileId)
      if (!file) throw new Error('the file behind this link is missing')
      return new Response(file.bytes as Uint8Array<ArrayBuffer>, {
        headers: {
          'content-type': file.contentType,
          'content-length': String(file.size),
          'content-disposition': contentDisposition(file.name),
          'x-content-type-options': 'nosniff',
        },
      })
    }
    case 'proxy': {
      const upstream = await fetch(resource.url, { redirect: 'follow', signal: AbortSignal.timeout(PROXY_TIMEOUT_MS) })
      const headers = new Headers()
      upstream.headers.forEach((value, name) => {
        if (!PROXY_DROP_HEADERS.has(name.toLowerCase())) headers.set(name, value)
      })
      return new Response(upstream.body, { status: upstream.status, headers })
    }
  }
}
