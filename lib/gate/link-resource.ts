// A payment link as something the gate can sell and deliver.
import { getAddress } from 'viem'
import { inertHeaders } from '@/lib/content/inert-response'
import * as Outbound from '@/lib/outbound'
import * as Intent from '@/lib/protocol/Intent'
import * as EvmSession from '@/lib/protocol/methods/evmSession'
import type { Db } from '@/lib/store/db'
import * as Files from '@/lib/store/files'
import * as Links from '@/lib/store/links'
import type { Link } from '@/lib/store/links'
import { methodKey, type PricedResource } from './types'

/** `db` enables the sales-cap reservation of capped links (needed wherever a link is sold). */
export function linkResource(link: Link, publicUrl: URL, db?: Db): PricedResource {
  return {
    key: `link:${link.id}`,
    url: new URL(`/l/${link.slug}`, publicUrl).toString(),
    priceUsd: link.priceUsd,
    recipient: getAddress(link.recipient),
    offers: [
      ...link.rails.map((rail) => methodKey(rail, Intent.charge)),
      ...(link.session ? [methodKey(EvmSession.method, EvmSession.intent)] : []),
    ],
    // A session link sells each request (one unit) at the link's price, paid by a voucher on a channel.
    ...(link.session
      ? {
          session: {
            unitType: link.session.unitType,
            ...(link.session.suggestedDepositUsd ? { suggestedDepositUsd: link.session.suggestedDepositUsd } : {}),
          },
        }
      : {}),
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

/**
 * The paid-for bytes of a link, inert on our origin (lib/content/inert-response). Throws (or answers
 * 5xx) when the resource itself fails, an upstream the outbound policy refuses included.
 */
export async function deliverLink(
  db: Db,
  link: Link,
  outbound: Outbound.OutboundPolicy = Outbound.outboundPolicyFromEnv(),
): Promise<Response> {
  const resource = link.resource
  switch (resource.kind) {
    case 'inline':
      return new Response(resource.body, {
        headers: inertHeaders({ contentType: `${resource.contentType}; charset=utf-8`, fileName: link.slug }),
      })
    case 'redirect': {
      // The URL is what was bought: reveal it in the body (and Content-Location for clients that look).
      const headers = inertHeaders({ contentType: 'application/json', fileName: link.slug })
      headers.set('content-location', resource.url)
      return Response.json({ url: resource.url }, { headers })
    }
    case 'file': {
      const file = await Files.getFile(db, resource.fileId)
      if (!file) throw new Error('the file behind this link is missing')
      const headers = inertHeaders({ contentType: file.contentType, fileName: file.name, attachment: true })
      headers.set('content-length', String(file.size))
      return new Response(file.bytes as Uint8Array<ArrayBuffer>, { headers })
    }
    case 'proxy': {
      const upstream = await Outbound.requestPublic(
        resource.url,
        { headers: { accept: '*/*', 'user-agent': 'Tollgate-Proxy/1.0' }, timeoutMs: PROXY_TIMEOUT_MS },
        outbound,
      )
      if (upstream.status >= 300 && upstream.status < 400) {
        await upstream.body?.cancel().catch(() => {})
        throw new Outbound.OutboundFailedError(
          `the upstream answered ${upstream.status} (a redirect); proxy links do not follow redirects, so point the link at the final URL`,
        )
      }
      const headers = inertHeaders({ contentType: upstream.headers.get('content-type'), fileName: link.slug, upstream: upstream.headers })
      return new Response(upstream.body, { status: upstream.status, headers })
    }
    case 'service':
      // Never reached: a service link's calls are priced and forwarded per request (./service-request.ts).
      throw new Error('a service link is delivered by its gateway, per request')
  }
}
