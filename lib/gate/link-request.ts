// A request for /l/{slug}: find the link, refuse what cannot be sold, otherwise gate it.
import * as Links from '@/lib/links'
import { handlePayment } from './http/handle-payment'
import { problemForBrowser } from './http/browser'
import { carriesPayment } from './http/payment-input'
import { jsonProblem } from './http/problem-response'
import { LinkCache } from './link-cache'
import { deliverLink, linkResource } from './link-resource'
import { answeringOutages } from './outage'
import { getGate } from './runtime'
import type { Gate, PricedResource } from './types'

const linkCache = new LinkCache()
/** The sellable resource of each cached link row, built once per row (so its offers are prepared once too). */
const cachedResources = new WeakMap<Links.Link, PricedResource>()

const GONE: Record<Exclude<Links.LinkAvailability, 'ok'>, string> = {
  inactive: 'This link has been deactivated by its merchant.',
  expired: 'This link has expired.',
  'sold-out': 'This link has sold out.',
}

export function handleLinkRequest(request: Request, slug: string): Promise<Response> {
  return answeringOutages(() => sellLink(request, slug))
}

async function sellLink(request: Request, slug: string): Promise<Response> {
  const gate = await getGate()
  // Unpaid requests may see a link up to a TTL old; a request carrying money always reads it fresh.
  const load = (s: string) => Links.getLinkBySlug(gate.db, s)
  const paying = carriesPayment(request.headers)
  const link = !/^[A-Za-z0-9-]{1,64}$/.test(slug) ? null : paying ? await load(slug) : await linkCache.get(slug, load)
  if (!link) return retiredOrMissing(gate, request, slug)
  // Only a capped link needs its payment count on the hot path.
  const paid = link.maxPayments === null ? 0 : await Links.countLinkPayments(gate.db, link.id)
  const availability = Links.linkAvailability(link, paid)
  const resource = paying ? linkResource(link, gate.config.publicUrl, gate.db) : cachedResource(link, gate)
  // Closed to new buyers, not to those who already paid (e.g. the buyer of the last slot), nor to a card
  // charged in the checkout (the money moved; the gate still checks it all).
  const closed = availability === 'ok' ? undefined : { title: 'Link unavailable', detail: GONE[availability] }
  return handlePayment(gate, request, resource, () => deliverLink(gate.db, link), null, closed ? { closed } : {})
}

/** A renamed link's old slug redirects to its current one; a deleted link's is gone; anything else was never a link. */
async function retiredOrMissing(gate: Gate, request: Request, slug: string): Promise<Response> {
  const retired = await Links.findRetiredSlug(gate.db, slug)
  if (retired?.kind === 'renamed') {
    const target = new URL(`/l/${retired.slug}${new URL(request.url).search}`, gate.config.publicUrl)
    // 308 keeps the method and headers (a credential for the link is still valid at its new slug).
    return new Response(null, { status: 308, headers: { location: target.toString(), 'cache-control': 'no-store' } })
  }
  if (retired?.kind === 'deleted')
    return problemForBrowser(request, jsonProblem(410, 'Link deleted', 'This payment link was deleted by its merchant.'))
  return problemForBrowser(request, jsonProblem(404, 'Link not found', `There is no payment link at /l/${slug.slice(0, 64)}.`))
}

function cachedResource(link: Links.Link, gate: Gate): PricedResource {
  let resource = cachedResources.get(link)
  if (!resource) {
    resource = linkResource(link, gate.config.publicUrl, gate.db)
    cachedResources.set(link, resource)
  }
  return resource
}
